"""Label Studio JSON: a list of tasks with ``data.text`` and one annotation whose results are
``labels`` regions on ``<Labels name="label" toName="text">`` (value: start, end, text,
labels). Offsets are Unicode code points, end exclusive. The list is written item by item."""

import orjson

NAME = "labelstudio"
SUFFIXES = (".json",)
DESCRIPTION = "Label Studio JSON tasks with NER regions"


def task(record: dict) -> dict:
    return {
        "data": {
            "text": record["text"],
            "id": record["id"],
            "title": record["title"],
            "external_id": record["external_id"],
        },
        "annotations": [
            {
                "completed_by": record["annotator"],
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


def write(records, files, meta) -> None:
    out = files[".json"]
    out.write(b"[")
    first = True
    for record in records:
        out.write(b"\n" if first else b",\n")
        out.write(orjson.dumps(task(record)))
        first = False
    out.write(b"\n]\n")
