"""doccano JSONL (sequence labelling): ``{"id", "text", "label": [[start, end, label], ...]}``
plus the article's title, external id and annotator, which doccano keeps as metadata.
Offsets are Unicode code points, end exclusive."""

from annotations.exports.jsonlines import json_line
from annotations.exports.writer import ExportMeta, Files, Record, Writer


class DoccanoWriter(Writer):
    DESCRIPTION = "doccano JSONL (sequence labelling)"
    SUFFIXES = (".jsonl",)
    COST = 0.5

    def __init__(self, files: Files, meta: ExportMeta) -> None:
        self.out = files[".jsonl"]

    def write(self, record: Record) -> None:
        row = {
            "id": record["id"],
            "text": record["text"],
            "label": [[s["start"], s["end"], s["label"]] for s in record["spans"]],
            "title": record["title"],
            "external_id": record["external_id"],
            "annotator": record["annotator"],
        }
        self.out.write(json_line(row))

    def close(self) -> None:
        pass
