"""The token formats (spaCy DocBin, BIO) on spans a token cannot hold exactly: whitespace edges,
whitespace only, overlaps. Each is read back with its consumer's own reader, and every span the
format changes or drops is in the format's report with the reason."""

import json
import random

import orjson
import pytest

from annotations.exports import export
from annotations.models import sha256_of
from tests.exports.conftest import gold_set
from tests.factories import ActorFactory, ArticleFactory, SpanFactory

BODY = "Kremlin said:\u00a0NATO moved. \u00a0 Peskov spoke\nin Moscow.\n"


def span(annotation_set, start, end, label_name, actor=None):
    label = annotation_set.article.project.labels.get(name=label_name)
    return SpanFactory(
        annotation_set=annotation_set, start=start, end=end, label=label, actor=actor
    )


@pytest.fixture
def edged(project):
    """One gold set whose spans start or end with whitespace, or hold nothing else."""
    russia = ActorFactory(project=project, name="Russia", kind="state", external_id="Q159")
    article = ArticleFactory(project=project, title="Edges", body=BODY)
    gold = gold_set(article)
    span(gold, 0, 7, "actor", actor=russia)  # "Kremlin"
    nato = BODY.index("NATO")
    span(gold, nato - 1, nato + 4, "actor")  # "\u00a0NATO": a no-break space before
    peskov = BODY.index("Peskov")
    span(gold, peskov, peskov + 7, "actor")  # "Peskov ": a space after
    span(gold, peskov - 2, peskov - 1, "event")  # "\u00a0": only a no-break space
    moscow = BODY.index("Moscow")
    span(gold, moscow, len(BODY), "location")  # "Moscow.\n": ends with a line break
    return project


EXPECTED = [
    ("Kremlin", "actor"),
    ("NATO", "actor"),
    ("Peskov", "actor"),
    ("Moscow.", "location"),
]


def report_of(path):
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def check_report(report):
    by_quote = {entry["span"]["quote"]: entry for entry in report}
    assert set(by_quote) == {"\u00a0NATO", "Peskov ", "\u00a0", "Moscow.\n"}
    assert by_quote["\u00a0"]["outcome"] == "dropped"
    assert "only whitespace" in by_quote["\u00a0"]["reason"]
    for quote, written in (("\u00a0NATO", "NATO"), ("Peskov ", "Peskov"), ("Moscow.\n", "Moscow.")):
        entry = by_quote[quote]
        assert (entry["outcome"], entry["written"]["quote"]) == ("trimmed", written)
        assert "whitespace" in entry["reason"]
        assert BODY[entry["written"]["start"] : entry["written"]["end"]] == written
    assert {entry["id"] for entry in report} == {sha256_of(BODY)[:16]}


def test_it_writes_a_docbin_of_whitespace_edged_spans_that_spacy_reads_back(edged, tmp_path):
    import spacy
    from spacy.tokens import DocBin

    paths = export(project=edged, format="spacy", stem=tmp_path / "out")
    files = {p.name.removeprefix("out"): p for p in paths}
    [doc] = DocBin().from_bytes(files[".spacy"].read_bytes()).get_docs(spacy.blank("en").vocab)
    assert doc.text == BODY
    assert [(e.text, e.label_) for e in doc.ents] == EXPECTED
    assert [(s.text, s.label_) for s in doc.spans["sc"]] == EXPECTED
    assert [e.kb_id_ for e in doc.ents] == ["Q159", "", "", ""]
    check_report(report_of(files[".report.jsonl"]))


@pytest.mark.parametrize("fixture", ["edged", "gold_project"])
def test_its_docbin_stores_what_spacys_own_docbin_add_would(fixture, request, tmp_path):
    """The writer packs each Doc's arrays itself, without making the Doc (making it and
    DocBin.add were most of the export's time): the token arrays, span groups and user data
    must be the bytes DocBin.add gives the same Doc."""
    import zlib

    import spacy
    import srsly
    from spacy.tokens import DocBin

    from annotations.exports.spacy_docbin import DOC_ATTRS

    paths = export(project=request.getfixturevalue(fixture), format="spacy", stem=tmp_path / "o")
    written = paths[0].read_bytes()
    docs = list(DocBin().from_bytes(written).get_docs(spacy.blank("xx").vocab))
    assert any(doc.spans["sc"] for doc in docs)
    stock = DocBin(attrs=DOC_ATTRS, store_user_data=True)
    for doc in docs:
        stock.add(doc)
    ours, theirs = (srsly.msgpack_loads(zlib.decompress(b)) for b in (written, stock.to_bytes()))
    assert set(ours) == set(theirs)
    for key in set(ours) - {"strings"}:
        assert ours[key] == theirs[key], key
    # The strings the Docs refer to (words, labels, actors' ids), without the unused norms.
    assert set(ours["strings"]) < set(theirs["strings"])


def test_it_writes_a_docbin_whose_ents_read_back_from_disk(gold_project, tmp_path):
    import spacy
    from spacy.tokens import DocBin

    paths = export(project=gold_project, format="spacy", stem=tmp_path / "out")
    docs = list(DocBin().from_disk(paths[0]).get_docs(spacy.blank("xx").vocab))
    ents = {doc.user_data["id"]: [(e.text, e.label_) for e in doc.ents] for doc in docs}
    first = next(doc for doc in docs if "Kremlin" in doc.text)
    assert ents[first.user_data["id"]][:2] == [("Kremlin", "actor"), ("Dmitry Peskov", "actor")]
    assert sum(len(e) for e in ents.values()) == 11  # 12 spans, one left out for an overlap
    report = report_of(paths[1])
    assert [(r["span"]["quote"], r["outcome"]) for r in report] == [
        ("Peskov warned the US and NATO", "left out of doc.ents")
    ]


def test_it_writes_bio_of_whitespace_edged_spans_that_conll_and_datasets_read(edged, tmp_path):
    import datasets
    from spacy.training.converters import conll_ner_to_docs

    paths = export(project=edged, format="bio", stem=tmp_path / "out")
    files = {p.name.removeprefix("out"): p for p in paths}
    [doc] = conll_ner_to_docs(files[".conll"].read_text(), n_sents=100)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Kremlin", "actor"),
        ("NATO", "actor"),
        ("Peskov", "actor"),
        ("Moscow .", "location"),  # the reader joins tokens with spaces
    ]
    names = json.loads(files[".labels.json"].read_text())
    [row] = datasets.load_dataset(
        "json", data_files=str(files[".jsonl"]), split="train", cache_dir=str(tmp_path / "hf")
    )
    tagged = [
        (BODY[start:end], names[tag])
        for (start, end), tag in zip(row["offsets"], row["ner_tags"], strict=True)
        if names[tag] != "O"
    ]
    assert tagged == [
        ("Kremlin", "B-actor"),
        ("NATO", "B-actor"),
        ("Peskov", "B-actor"),
        ("Moscow", "B-location"),
        (".", "I-location"),
    ]
    check_report(report_of(files[".report.jsonl"]))


# The tokenizer's quick path (one regular expression) against its definition (one character at
# a time), on texts made of the characters whose rules differ, with span boundaries anywhere.
TRICKY = [
    *"ab Z_9 .,;!?-'\"\n\t",
    "\u00a0",  # no-break space
    "\u0301",  # combining acute accent
    "\u0903",  # a spacing mark
    "\u20dd",  # an enclosing mark
    "\u200d",  # zero-width joiner
    "\ufe0f",  # variation selector
    "\U0001f3fb",  # skin-tone modifier
    "\U0001f1fa",  # regional indicators (a flag is two)
    "\U0001f1f8",
    "\U0001f600",
    "\U0001f469",
    "\U000e0067",  # a tag character (subdivision flags)
    *"éßǅ٣ー漢",
    "\u2028",
]


def test_the_quick_tokenizer_cuts_every_text_as_the_character_by_character_one_does():
    from annotations.exports.tokens import tokenize, tokenize_by_character

    rng = random.Random(7)
    for length in [20] * 4000 + [200] * 500:  # short texts, and long ones of many words
        text = "".join(rng.choice(TRICKY) for _ in range(rng.randint(0, length)))
        cuts = frozenset(rng.sample(range(len(text) + 1), min(rng.randint(0, 4), len(text) + 1)))
        assert tokenize(text, cuts) == tokenize_by_character(text, cuts), (text, sorted(cuts))
