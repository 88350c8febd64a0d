"""doccano JSONL (sequence labelling): ``{"id", "text", "label": [[start, end, label], ...]}``
plus the article's title, external id and annotator, which doccano keeps as metadata.
Offsets are Unicode code points, end exclusive."""

import orjson

NAME = "doccano"
SUFFIXES = (".jsonl",)
DESCRIPTION = "doccano JSONL (sequence labelling)"


class Writer:
    def __init__(self, files, meta):
        self.out = files[".jsonl"]

    def close(self) -> None:
        pass

    def add(self, record: dict) -> None:
        row = {
            "id": record["id"],
            "text": record["text"],
            "label": [[s["start"], s["end"], s["label"]] for s in record["spans"]],
            "title": record["title"],
            "external_id": record["external_id"],
            "annotator": record["annotator"],
        }
        self.out.write(orjson.dumps(row) + b"\n")
