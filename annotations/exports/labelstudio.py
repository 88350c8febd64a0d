"""Label Studio JSON: a list of tasks with ``data.text`` and one annotation whose results are
``labels`` regions on ``<Labels name="label" toName="text">`` (value: start, end, text,
labels). Offsets are Unicode code points, end exclusive. The list is written item by item.

Who annotated: Label Studio's ``completed_by`` must be the id of a user of that Label Studio
instance, which a workbench username is not (an import with one fails with HTTP 400). So the
annotation has no ``completed_by`` (Label Studio credits the importing user), and the task's
``meta`` says whose set it is (``annotator``: the username, null for gold; ``gold``); a gold
set's annotation is Label Studio's ``ground_truth``."""

from typing import Any

from annotations.exports.jsonlines import json_bytes
from annotations.exports.writer import ExportMeta, Files, Record, Writer


def task(record: Record) -> dict[str, Any]:
    return {
        "data": {
            "text": record["text"],
            "id": record["id"],
            "title": record["title"],
            "external_id": record["external_id"],
        },
        "meta": {"annotator": record["annotator"], "gold": record["gold"]},
        "annotations": [
            {
                "ground_truth": record["gold"],
                "result": [
                    {
                        "id": f"s{span['id']}",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {
                            "start": span["start"],
                            "end": span["end"],
                            "text": span["quote"],
                            "labels": [span["label"]],
                        },
                    }
                    for span in record["spans"]
                ],
            }
        ],
    }


class LabelStudioWriter(Writer):
    DESCRIPTION = "Label Studio JSON tasks with NER regions"
    SUFFIXES = (".json",)

    def __init__(self, files: Files, meta: ExportMeta) -> None:
        self.out = files[".json"]
        self.out.write(b"[")
        self.first = True

    def write(self, record: Record) -> None:
        self.out.write(b"\n" if self.first else b",\n")
        self.out.write(json_bytes(task(record)))
        self.first = False

    def close(self) -> None:
        self.out.write(b"\n]\n")
