"""A manager imports an external model's predictions (JSONL) as a source of suggestions of its
own, whole or not at all, with each problem named by file and line; and deletes a source."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from annotations.learning.suggesters import proposals_for_set
from annotations.models import Actor, HistoryRecord, Prediction, PredictionSource, Span
from tests.factories import ArticleFactory

# The article (tests/conftest.py): "Kremlin spokesperson Dmitry Peskov warned the US and NATO."


def jsonl(*lines):
    return "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines).encode()


@pytest.fixture
def upload(client, manager, project):
    client.force_login(manager)
    url = reverse("annotations:prediction-import", args=[project.slug])

    def send(data, name="spancat", version="v3", filename="predictions.jsonl"):
        fields = {"file": SimpleUploadedFile(filename, data), "name": name, "version": version}
        return client.post(url, fields)

    return send


def test_it_imports_a_file_as_a_source_whose_spans_are_suggested(
    upload, client, project, article, annotation_set
):
    Actor.objects.create(project=project, name="Dmitry Peskov")
    other = ArticleFactory(project=project, external_id="rss-7", body="NATO met.")
    data = jsonl(
        {
            "article": article.pk,
            "spans": [
                {
                    "start": 21,
                    "end": 34,
                    "label": "actor",
                    "score": 0.87,
                    "actor": "dmitry peskov",
                    "quote": "Dmitry Peskov",
                },
                {"start": 0, "end": 7, "label": "location", "score": 0.3},
            ],
        },
        "",
        {"external_id": "rss-7", "spans": [{"start": 0, "end": 4, "label": "actor", "score": 1}]},
    )
    response = upload(data)
    assert response.status_code == 302
    source = PredictionSource.objects.get()
    assert (source.name, source.version, source.created_by.username) == ("spancat", "v3", "maria")
    assert Prediction.objects.filter(article=other).count() == 1
    page = client.get(response["Location"])
    assert "Imported 3 predictions on 2 article(s) from spancat v3." in page.text
    found = {(s.quote, s.source_text) for s in proposals_for_set(annotation_set)}
    assert ("Kremlin", "0.30 · spancat v3") in found
    assert HistoryRecord.objects.get(object_type="prediction_source").after["predictions"] == 3


def test_it_takes_the_name_and_version_from_the_first_line(upload, article):
    header = {"source": "bert-ner", "version": "2026-11"}
    data = jsonl(header, {"sha256": article.body_sha256, "spans": []})
    assert upload(data, name="", version="").status_code == 302
    source = PredictionSource.objects.get()
    assert (str(source), source.predictions.count()) == ("bert-ner 2026-11", 0)


BAD = [
    ("not json", b'{"article": 1,', "predictions.jsonl, line 1: malformed JSON"),
    ("not utf-8", b'{"article": "\xff"}', "line 1: the file is not valid UTF-8 (byte 13"),
    ("nested", b"[" * 200_000 + b"]" * 200_000, "line 1: the JSON is nested more than 32"),
    ("lone surrogate", b'{"source": "x\\ud800y"}', "'source' contains a lone surrogate"),
    ("nul", b'{"source": "x\\u0000y"}', "'source' contains a NUL character"),
    ("huge number", b'{"article": 1' + b"0" * 5000 + b', "spans": []}', "more than 4300 digits"),
    ("empty", b"\n  \n", "predictions.jsonl: the file is empty."),
    ("same span", "same", "line 1: span 2 is span 1 again (the same range, label and actor)"),
    ("not an object", b"[1, 2]", "line 1: each line must be a JSON object."),
    ("unknown article", jsonl({"article": 999999, "spans": []}), "no article 999999"),
    ("two ids", "two", "name the article by exactly one of"),
    ("unknown external id", jsonl({"external_id": "nope", "spans": []}), "no article of this"),
    ("unknown hash", jsonl({"sha256": "ab" * 32, "spans": []}), "has the text with sha256"),
    ("offsets", "offsets", "span 1: 50–999 is not a stretch of the article's text"),
    ("bool offset", "bool", "'start' and 'end' must be whole numbers"),
    ("quote", "quote", "span 1: the text at 0–7 is 'Kremlin', not 'Kreml'."),
    ("label", "label", "span 1: unknown label 'person'"),
    ("score", "score", "span 1: 'score' must be a number from 0 to 1, not 1.5."),
    ("actor", "actor", "span 1: no actor named 'Nobody' in the registry."),
    ("twice", "twice", "line 2: this article came on an earlier line already."),
    ("late header", "header", "line 2: a line without 'spans' may only come first"),
]


def _bad_file(kind, article):
    span = {"start": 0, "end": 7, "label": "actor", "score": 0.5}
    line = {"article": article.pk, "spans": [span]}
    changes = {
        "offsets": {"start": 50, "end": 999},
        "bool": {"start": True},
        "quote": {"quote": "Kreml"},
        "label": {"label": "person"},
        "score": {"score": 1.5},
        "actor": {"actor": "Nobody"},
    }
    if kind == "two":
        return jsonl({"article": article.pk, "external_id": "x", "spans": []})
    if kind == "twice":
        return jsonl(line, line)
    if kind == "header":
        return jsonl(line, {"source": "late"})
    if kind == "same":
        return jsonl({"article": article.pk, "spans": [span, span | {"score": 0.9}]})
    return jsonl({"article": article.pk, "spans": [span | changes[kind]]})


@pytest.mark.parametrize(("kind", "data", "message"), BAD, ids=[b[0] for b in BAD])
def test_it_refuses_a_bad_file_whole_naming_the_line(upload, article, kind, data, message):
    if isinstance(data, str):
        data = _bad_file(data, article)
    else:
        data = data.replace(b'"article": 1,', f'"article": {article.pk},'.encode())
    response = upload(data)
    assert response.status_code == 400
    assert "Nothing was imported" in response.text
    assert message.replace("'", "&#x27;") in response.text
    assert not PredictionSource.objects.exists()
    assert not Prediction.objects.exists()


def test_it_reads_a_file_with_a_byte_order_mark(upload, article):
    data = "\ufeff".encode() + jsonl({"article": article.pk, "spans": []})
    assert upload(data).status_code == 302
    assert PredictionSource.objects.count() == 1


def test_a_refusal_quotes_a_long_value_cut_short(upload, article):
    label = "x" * 5000
    span = {"start": 0, "end": 7, "label": label, "score": 0.5}
    response = upload(jsonl({"article": article.pk, "spans": [span]}))
    assert response.status_code == 400
    assert f"span 1: unknown label &#x27;{'x' * 58}…;" in response.text
    assert label not in response.text


def test_it_refuses_a_source_it_has_already_and_one_without_a_name(upload, article):
    data = jsonl({"article": article.pk, "spans": []})
    assert upload(data).status_code == 302
    again = upload(data)
    assert again.status_code == 400
    assert "has predictions from spancat v3 already" in again.text
    nameless = upload(data, name="", version="")
    assert nameless.status_code == 400
    assert "the source has no name" in nameless.text
    assert PredictionSource.objects.count() == 1


def test_it_deletes_a_source_keeping_what_was_accepted_from_it(
    client, manager, project, article, annotation_set
):
    source = PredictionSource.objects.create(project=project, name="m", version="1", sha256="0")
    label = project.labels.get(name="actor")
    Prediction.objects.create(
        source=source, article=article, start=0, end=7, label=label, score=0.9
    )
    Span.objects.create(
        annotation_set=annotation_set,
        start=21,
        end=34,
        quote="Dmitry Peskov",
        label=label,
        provenance={"suggester": "m", "version": "1", "score": 0.8},
    )
    assert [s.quote for s in proposals_for_set(annotation_set)] == ["Kremlin"]
    client.force_login(manager)
    url = reverse("annotations:prediction-source-delete", args=[project.slug, source.pk])
    assert client.post(url).status_code == 302
    assert not PredictionSource.objects.exists()
    assert proposals_for_set(annotation_set) == []
    assert Span.objects.get().provenance["suggester"] == "m"
    assert HistoryRecord.objects.filter(object_type="prediction_source", action="delete").exists()


def test_it_refuses_deleting_another_projects_source(client, manager, project):
    other = ArticleFactory().project
    source = PredictionSource.objects.create(project=other, name="m", version="1", sha256="0")
    client.force_login(manager)
    url = reverse("annotations:prediction-source-delete", args=[project.slug, source.pk])
    assert client.post(url).status_code == 404
    assert PredictionSource.objects.exists()


def test_it_imports_by_command_and_names_the_bad_line(tmp_path, project, article):
    path = tmp_path / "p.jsonl"
    path.write_bytes(
        jsonl(
            {"source": "crf", "version": "1"},
            {
                "article": article.pk,
                "spans": [{"start": 0, "end": 7, "label": "actor", "score": 0.5}],
            },
        )
    )
    call_command("import_predictions", str(path), project=project.slug)
    assert str(PredictionSource.objects.get()) == "crf 1"
    path.write_bytes(jsonl({"article": article.pk, "spans": [{"start": 0}]}))
    with pytest.raises(CommandError, match=r"p.jsonl, line 1: span 1: 'start' and 'end'"):
        call_command("import_predictions", str(path), project=project.slug, name="crf2")
    assert PredictionSource.objects.count() == 1


def test_the_command_reads_a_pipe(project, article, tmp_path):
    """`import_predictions <(zcat predictions.jsonl.gz) ...`: a stream that cannot seek."""
    import io
    import os
    import threading

    fifo = tmp_path / "predictions.jsonl"
    os.mkfifo(fifo)
    data = jsonl(
        {"source": "piped", "version": "1"},
        {"article": article.pk, "spans": [{"start": 0, "end": 7, "label": "actor", "score": 1}]},
    )
    writer = threading.Thread(target=fifo.write_bytes, args=(data,))
    writer.start()
    call_command("import_predictions", str(fifo), project=project.slug, stdout=io.StringIO())
    writer.join()
    source = PredictionSource.objects.get()
    assert (str(source), source.predictions.count()) == ("piped 1", 1)


def test_the_registry_name_is_not_a_source_name(upload, article):
    response = upload(jsonl({"article": article.pk, "spans": []}), name="gazetteer")
    assert response.status_code == 400
    assert "the actor registry&#x27;s own name; choose another" in response.text
    assert not PredictionSource.objects.exists()
