"""Native JSONL carries who annotated, who adjudicated and when, and the overridden labels."""

import orjson

from annotations import adjudication
from annotations.exports import export
from annotations.services import annotation_set_submit
from tests.exports.conftest import add_span
from tests.factories import AnnotationSetFactory


def test_it_records_provenance_and_the_rejected_minority_label(
    project, article, annotator, annotator2, reviewer, tmp_path
):
    anna = AnnotationSetFactory(article=article, annotator=annotator)
    alex = AnnotationSetFactory(article=article, annotator=annotator2)
    chosen = add_span(anna, "Kremlin", "actor")
    add_span(alex, "Kremlin", "location")
    for annotation_set in (anna, alex):
        annotation_set_submit(annotation_set=annotation_set, user=annotation_set.annotator)
    adjudication.adjudication_accept(
        article=article,
        user=reviewer,
        key="span:0-7",
        source_id=chosen.pk,
        reason_code="wrong_label",
        note="The Kremlin acts here.",
        expected_version=None,
    )
    adjudication.gold_set_approve(article=article, user=reviewer, expected_version=None)

    [path] = export(project=project, format="native", stem=tmp_path / "gold")
    [record] = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    assert [(s["quote"], s["label"]) for s in record["spans"]] == [("Kremlin", "actor")]
    assert record["provenance"]["annotators"] == ["alex", "anna"]
    assert record["provenance"]["reviewer"] == "rita"
    assert record["provenance"]["adjudicated_at"].endswith("Z")
    assert record["rejected"] == [
        {
            "kind": "span",
            "start": 0,
            "end": 7,
            "quote": "Kremlin",
            "label": "location",
            "annotator": "alex",
            "outcome": "accepted",
            "reason_code": "wrong_label",
            "note": "The Kremlin acts here.",
        }
    ]
