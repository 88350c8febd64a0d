"""brat standoff read back the way brat reads it: ``.ann`` lines split by Python's
``splitlines`` rules (brat reads with codecs), each text-bound line by brat's grammar
``T<n>\\t<type> <start> <end>[;<start> <end>]...\\t<text>``. Every span's fragments start and end
where the span does, and cover all of it but the line breaks inside it."""

import re
import zipfile

import pytest

from annotations.exports import export
from annotations.exports.brat import LINE_BREAKS
from tests.exports.conftest import gold_set
from tests.factories import ArticleFactory, SpanFactory

TEXTBOUND = re.compile(r"T(\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)")
BODY = "Kremlin warned NATO.\nKyiv\u2028answered\u2029at once\u0085and\x0bfirmly.\n\nEnd"


def read_ann(ann: str, text: str) -> dict[str, tuple[str, list[tuple[int, int]], str]]:
    """{id: (type, fragments, text field)} of the text-bound lines, checked against `text` as
    brat checks them: fragments in order, inside the text, not overlapping."""
    found = {}
    for line in ann.splitlines():
        if not line.startswith("T"):
            continue
        match = TEXTBOUND.fullmatch(line)
        assert match, f"not a text-bound line by brat's grammar: {line!r}"
        number, kind, where, field = match.groups()
        pieces = [tuple(map(int, piece.split())) for piece in where.split(";")]
        for (start, end), following in zip(pieces, [*pieces[1:], None], strict=True):
            assert 0 <= start < end <= len(text)
            assert following is None or end <= following[0]
        found[f"T{number}"] = (kind, pieces, field)
    return found


@pytest.fixture
def broken_lines(project):
    article = ArticleFactory(project=project, title="Breaks", body=BODY)
    gold = gold_set(article)
    label = project.labels.get(name="event")
    spans = []
    for quote in (
        "NATO.\n",  # ends with a line break
        "\nKyiv",  # starts with one
        "Kyiv\u2028answered\u2029at once\u0085and\x0bfirmly.",  # every other kind inside
        "firmly.\n\nEnd",  # two in a row inside
        "Kremlin",
    ):
        start = BODY.index(quote)
        spans.append((start, start + len(quote)))
        SpanFactory(annotation_set=gold, start=start, end=start + len(quote), label=label)
    return project, spans


def test_brat_fragments_cover_each_span_exactly_and_survive_brats_reader(broken_lines, tmp_path):
    project, spans = broken_lines
    [path] = export(project=project, format="brat", stem=tmp_path / "out")
    with zipfile.ZipFile(path) as archive:
        [ann_name] = [n for n in archive.namelist() if n.endswith(".ann")]
        ann = archive.read(ann_name).decode()
        text = archive.read(ann_name.replace(".ann", ".txt")).decode()
    assert text == BODY
    assert ann.splitlines() == ann.split("\n")[:-1]  # no line break but the line ends
    annotations = read_ann(ann, text)
    assert len(annotations) == len(spans)
    read_spans = []
    for kind, pieces, field in annotations.values():
        assert kind == "event"
        start, end = pieces[0][0], pieces[-1][1]
        read_spans.append((start, end))
        covered = {offset for s, e in pieces for offset in range(s, e)}
        left_out = set(range(start, end)) - covered
        assert all(text[offset] in LINE_BREAKS for offset in left_out)
        for s, e in pieces:  # a fragment holds text or line breaks, never both
            assert len({ch in LINE_BREAKS for ch in text[s:e]}) == 1
        shown = " ".join(text[s:e] for s, e in pieces)
        assert field == "".join(" " if ch in LINE_BREAKS else ch for ch in shown)
    assert sorted(read_spans) == sorted(spans)
    by_start = {pieces[0][0]: pieces for _, pieces, _ in annotations.values()}
    nato = BODY.index("NATO")
    assert by_start[nato] == [(nato, nato + 5), (nato + 5, nato + 6)]


RELATION = re.compile(r"R(\d+)\t(\S+) Arg1:(T\d+) Arg2:(T\d+)")
ATTRIBUTE = re.compile(r"A(\d+)\t(\S+) (T\d+)(?: (\S+))?")
NORMALISATION = re.compile(r"N(\d+)\tReference (T\d+) (\S+):(\S+)\t(.*)")


def test_brat_carries_claims_gradings_and_actor_ids_as_relations_attributes_normalisations(
    gold_project, tmp_path
):
    [path] = export(project=gold_project, format="brat", stem=tmp_path / "out")
    with zipfile.ZipFile(path) as archive:
        name = next(
            n
            for n in archive.namelist()
            if n.endswith(".txt") and "Kremlin" in archive.read(n).decode()
        )
        text = archive.read(name).decode()
        ann = archive.read(name.replace(".txt", ".ann")).decode()
    spans = read_ann(ann, text)
    quote = {key: text[pieces[0][0] : pieces[-1][1]] for key, (_, pieces, _) in spans.items()}
    relations, attributes, normalisations = [], {}, []
    for line in ann.splitlines():
        if line[0] == "R":
            match = RELATION.fullmatch(line)
            assert match, line
            relations.append((match[2], quote[match[3]], quote[match[4]]))
        elif line[0] == "A":
            match = ATTRIBUTE.fullmatch(line)
            assert match, line
            attributes[match[2], quote[match[3]]] = match[4]
        elif line[0] == "N":
            match = NORMALISATION.fullmatch(line)
            assert match, line
            normalisations.append((quote[match[2]], match[3], match[4], match[5]))
    claim = "Peskov warned the US and NATO"
    assert relations == [("Claimant", claim, "Dmitry Peskov"), ("Target", claim, "北约")]
    assert attributes["ClaimType", claim] == "warning"
    assert attributes["Reliability", claim] == "B"
    assert attributes["Credibility", claim] == "2"
    assert attributes["ThreatLevel", claim] == "moderate"
    assert attributes["ActorKind", "Kremlin"] == "state"
    assert attributes["ActorKind", "北约"] == "international_organisation"
    assert normalisations == [("Kremlin", "Wikidata", "Q159", "Russia")]
