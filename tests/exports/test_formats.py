"""Each export read back with its consumer's own reader; every span's text equals its quote."""

import json
import zipfile

import orjson
import pytest

from annotations.exports import FORMATS, export
from annotations.exports.records import Selection
from annotations.models import Article
from tests.exports.w3c_musts import COLLECTION, PAGE, must_failures


@pytest.fixture
def bodies(gold_project):
    return {a.body_sha256[:16]: a.body for a in Article.objects.filter(project=gold_project)}


def write(project, format, tmp_path, selection=None):
    tmp_path.mkdir(parents=True, exist_ok=True)
    selection = selection or Selection()
    paths = export(project=project, format=format, stem=tmp_path / "out", selection=selection)
    return {path.name.removeprefix("out"): path for path in paths}


def native_records(project, tmp_path, selection=None):
    path = write(project, "native", tmp_path, selection)[".jsonl"]
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_it_exports_gold_sets_in_native_jsonl_with_claims_threat_and_provenance(
    gold_project, tmp_path, bodies
):
    records = native_records(gold_project, tmp_path)
    assert len(records) == 3
    assert all(r["gold"] and r["annotator"] is None for r in records)
    first = next(r for r in records if r["title"] == "Russia warns US, NATO")
    assert first["sha256"].startswith(first["id"])
    for record in records:
        for span in record["spans"]:
            assert record["text"][span["start"] : span["end"]] == span["quote"]
    kremlin = first["spans"][0]
    assert (kremlin["quote"], kremlin["label"]) == ("Kremlin", "actor")
    assert kremlin["actor"] == {"name": "Russia", "kind": "state", "external_id": "Q159"}
    [claim] = first["claims"]
    assert first["spans"][claim["span"]]["quote"] == "Peskov warned the US and NATO"
    assert first["spans"][claim["claimant_span"]]["quote"] == "Dmitry Peskov"
    assert claim["claimant"]["name"] == "Dmitry Peskov"
    assert [t["name"] for t in claim["targets"]] == ["NATO"]
    assert (claim["claim_type"], claim["grading"]) == ("warning", "B2")
    assert first["threat_assessment"] == {
        "level": "moderate",
        "rank": 1,
        "rationale": "words",
        "claims": [claim["id"]],
    }
    assert first["provenance"]["annotators"] == ["anna"]


def test_it_exports_an_annotators_sets_when_asked(gold_project, tmp_path):
    records = native_records(gold_project, tmp_path, Selection(sets="annotators"))
    assert [(r["annotator"], [s["label"] for s in r["spans"]]) for r in records] == [
        ("anna", ["location"])
    ]


def _spans_from_bio(tokens_offsets, tags, names):
    spans, current = [], None
    for (start, end), tag in zip(tokens_offsets, tags, strict=True):
        name = names[tag]
        if name.startswith("B-") or name == "O" or (current and name[2:] != current[2]):
            if current:
                spans.append(tuple(current))
            current = [start, end, name[2:]] if name != "O" else None
        else:
            current[1] = end
    if current:
        spans.append(tuple(current))
    return spans


def test_it_writes_bio_jsonl_that_datasets_loads_and_reports_every_overlap(
    gold_project, tmp_path, bodies
):
    import datasets

    files = write(gold_project, "bio", tmp_path)
    names = json.loads(files[".labels.json"].read_text())
    dataset = datasets.load_dataset(
        "json", data_files=str(files[".jsonl"]), split="train", cache_dir=str(tmp_path / "hf")
    )
    assert set(dataset.column_names) >= {"id", "tokens", "ner_tags", "offsets"}
    report = [orjson.loads(line) for line in files[".report.jsonl"].read_bytes().splitlines()]
    overlaps = [o for o in report if o["reason"].startswith("overlaps")]
    assert overlaps == report
    assert [o["span"]["quote"] for o in overlaps] == ["Peskov warned the US and NATO"]
    assert overlaps[0]["kept"]["quote"] == "Dmitry Peskov"
    natives = {r["id"]: r for r in native_records(gold_project, tmp_path / "n")}
    for row in dataset:
        text = bodies[row["id"]]
        assert [text[s:e] for s, e in row["offsets"]] == row["tokens"]
        spans = _spans_from_bio(row["offsets"], row["ner_tags"], names)
        dropped = {(o["span"]["start"], o["span"]["end"]) for o in overlaps}
        expected = [
            (s["start"], s["end"], s["label"])
            for s in natives[row["id"]]["spans"]
            if (s["start"], s["end"]) not in dropped
        ]
        assert sorted(spans) == sorted(expected)
        for start, end, _ in spans:
            quote = next(s["quote"] for s in natives[row["id"]]["spans"] if s["start"] == start)
            assert text[start:end] == quote


def test_it_writes_conll_that_a_conll_reader_reads(gold_project, tmp_path):
    from spacy.training.converters import conll_ner_to_docs

    files = write(gold_project, "bio", tmp_path)
    docs = list(conll_ner_to_docs(files[".conll"].read_text(), n_sents=1000))
    assert len(docs) == 3
    entities = sorted((e.label_, "".join(e.text.split())) for d in docs for e in d.ents)
    natives = native_records(gold_project, tmp_path / "n")
    expected = sorted(
        (s["label"], "".join(s["quote"].split()))
        for r in natives
        for s in r["spans"]
        if s["quote"] != "Peskov warned the US and NATO"
    )
    assert entities == expected


def test_it_writes_a_docbin_whose_spans_are_the_quotes(gold_project, tmp_path, bodies):
    import spacy
    from spacy.tokens import DocBin

    files = write(gold_project, "spacy", tmp_path)
    docbin = DocBin().from_disk(files[".spacy"])
    docs = list(docbin.get_docs(spacy.blank("xx").vocab))
    natives = {r["id"]: r for r in native_records(gold_project, tmp_path / "n")}
    assert len(docs) == 3
    for doc in docs:
        record = natives[doc.user_data["id"]]
        assert doc.text == record["text"]
        assert sorted((s.start_char, s.end_char, s.label_, s.text) for s in doc.spans["sc"]) == (
            sorted((s["start"], s["end"], s["label"], s["quote"]) for s in record["spans"])
        )
        ents = [(e.start_char, e.end_char) for e in doc.ents]
        assert len(ents) == len(set(ents))
        for ent in doc.ents:
            assert ent.text == record["text"][ent.start_char : ent.end_char]
    first = next(d for d in docs if "Kremlin" in d.text)
    assert "Peskov warned the US and NATO" in [s.text for s in first.spans["sc"]]
    assert "Peskov warned the US and NATO" not in [e.text for e in first.ents]


def test_it_writes_doccano_jsonl(gold_project, tmp_path, bodies):
    rows = [
        orjson.loads(x)
        for x in write(gold_project, "doccano", tmp_path)[".jsonl"].read_bytes().splitlines()
    ]
    natives = {r["id"]: r for r in native_records(gold_project, tmp_path / "n")}
    for row in rows:
        quotes = [s["quote"] for s in natives[row["id"]]["spans"]]
        assert [row["text"][s:e] for s, e, _ in row["label"]] == quotes


def test_it_writes_label_studio_tasks(gold_project, tmp_path):
    tasks = json.loads(write(gold_project, "labelstudio", tmp_path)[".json"].read_text())
    assert len(tasks) == 3
    results = [r for t in tasks for a in t["annotations"] for r in a["result"]]
    regions = [r for r in results if r["type"] != "relation"]
    assert len(regions) == 12
    for task in tasks:
        for region in task["annotations"][0]["result"]:
            if region["type"] == "relation":
                continue
            value = region["value"]
            assert task["data"]["text"][value["start"] : value["end"]] == value["text"]
            assert region["type"] == "labels" and region["to_name"] == "text"


# Label Studio's import format (labelstud.io/guide/task_format): the keys of a task and of an
# annotation it accepts, and completed_by, when given, the integer id of one of its users.
LABEL_STUDIO_TASK_KEYS = {"data", "annotations", "predictions", "meta"}
LABEL_STUDIO_ANNOTATION_KEYS = {
    *("result", "completed_by", "ground_truth", "was_cancelled", "lead_time"),
    *("created_at", "updated_at"),
}


def test_label_studio_tasks_name_the_annotator_in_meta_not_in_completed_by(gold_project, tmp_path):
    gold = json.loads(write(gold_project, "labelstudio", tmp_path)[".json"].read_text())
    own = json.loads(
        write(gold_project, "labelstudio", tmp_path / "a", Selection(sets="annotators"))[
            ".json"
        ].read_text()
    )
    for task in gold + own:
        assert set(task) <= LABEL_STUDIO_TASK_KEYS
        for annotation in task["annotations"]:
            assert set(annotation) <= LABEL_STUDIO_ANNOTATION_KEYS
            assert isinstance(annotation.get("completed_by", 0), int)
    assert {(t["meta"]["annotator"], t["meta"]["gold"]) for t in gold} == {(None, True)}
    assert all(t["annotations"][0]["ground_truth"] for t in gold)
    first = next(t for t in gold if "Kremlin" in t["data"]["text"])
    results = first["annotations"][0]["result"]
    quote = {r["id"]: r["value"]["text"] for r in results if r["type"] == "labels"}
    [relation] = [r for r in results if r["type"] == "relation"]
    assert (quote[relation["from_id"]], quote[relation["to_id"]]) == (
        "Dmitry Peskov",
        "Peskov warned the US and NATO",
    )
    assert relation["labels"] == ["warning"]
    kremlin = next(r for r in results if r.get("value", {}).get("text") == "Kremlin")
    assert kremlin["meta"]["actor"] == {"name": "Russia", "kind": "state", "external_id": "Q159"}
    [claim] = first["meta"]["claims"]
    assert (claim["claimant"]["name"], claim["grading"]) == ("Dmitry Peskov", "B2")
    assert first["meta"]["threat_assessment"]["level"] == "moderate"
    [anna] = own
    assert anna["meta"] == {"annotator": "anna", "gold": False}
    assert anna["annotations"][0]["ground_truth"] is False


def test_it_writes_web_annotations_meeting_every_must(gold_project, tmp_path, bodies):
    collection = json.loads(write(gold_project, "w3c", tmp_path)[".jsonld"].read_text())
    assert collection["type"] == "AnnotationCollection"
    assert must_failures(collection, COLLECTION) == []
    assert must_failures(collection, PAGE) == []  # a collection with its page embedded
    assert must_failures(collection["first"], PAGE) == []  # the page alone
    assert collection["first"]["partOf"]["id"] == collection["id"]
    everything = collection["first"]["items"]
    items = [a for a in everything if a["motivation"] == "tagging"]
    assert len(items) == 12
    [claim] = [a for a in everything if a["motivation"] == "assessing"]
    assert must_failures(claim) == []
    bodies = {(b["purpose"], b.get("value", b.get("source"))) for b in claim["body"]}
    stating = next(a for a in items if a["target"] == claim["target"])
    assert stating["target"]["selector"][0]["exact"] == "Peskov warned the US and NATO"
    assert bodies == {
        ("classifying", "warning"),
        ("linking", stating["id"]),
        ("identifying", "Dmitry Peskov"),
        ("tagging", "NATO"),
        ("assessing", "B2"),
    }
    by_source = {f"urn:sha256:{a.body_sha256}": a.body for a in Article.objects.all()}
    by_source |= {a.url: a.body for a in Article.objects.exclude(url="")}
    for annotation in items:
        assert must_failures(annotation) == []
        quote, position = annotation["target"]["selector"]
        text = by_source[annotation["target"]["source"]]
        assert text[position["start"] : position["end"]] == quote["exact"]
        assert text[: position["start"]].endswith(quote["prefix"])
        assert text[position["end"] :].startswith(quote["suffix"])
    assert len({a["id"] for a in items}) == len(items)


def test_it_writes_brat_standoff(gold_project, tmp_path, bodies):
    archive = zipfile.ZipFile(write(gold_project, "brat", tmp_path)[".zip"])
    names = sorted(archive.namelist())
    assert len(names) == 6
    seen = 0
    for name in names:
        if not name.endswith(".ann"):
            continue
        text = archive.read(name.replace(".ann", ".txt")).decode()
        assert text == bodies[name.removesuffix(".ann")]
        for line in archive.read(name).decode().splitlines():
            if not line.startswith("T"):
                continue
            _, middle, quote = line.split("\t")
            pieces = [tuple(map(int, p.split())) for p in middle.split(" ", 1)[1].split(";")]
            assert " ".join(text[s:e] for s, e in pieces) == quote
            assert "\n" not in quote
            seen += 1
    assert seen == 12
    assert (
        "T4\tevent 53 58;59 67\tNATO. Zelensky"
        in archive.read(
            next(n for n in names if n.endswith(".ann") and "Kremlin" in archive.read(n).decode())
        ).decode()
    )


@pytest.mark.parametrize("format", list(FORMATS))
def test_it_writes_the_same_bytes_twice(gold_project, tmp_path, format):
    first = write(gold_project, format, tmp_path)
    second = write(gold_project, format, tmp_path / "b")
    for suffix, path in first.items():
        assert path.read_bytes() == second[suffix].read_bytes()


def test_it_keeps_labels_with_spaces_in_one_conll_column(project, tmp_path):
    from spacy.training.converters import conll_ner_to_docs

    from tests.exports.conftest import add_span, gold_set
    from tests.factories import ArticleFactory

    article = ArticleFactory(project=project, body="Russian armoured units moved west.")
    add_span(gold_set(article), "Russian armoured units", "military force")
    files = write(project, "bio", tmp_path)
    [doc] = conll_ner_to_docs(files[".conll"].read_text(), n_sents=10)
    assert [(e.text, e.label_) for e in doc.ents] == [("Russian armoured units", "military_force")]
    names = json.loads(files[".labels.json"].read_text())
    assert "B-military_force" in names
