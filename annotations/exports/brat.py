"""brat standoff: a zip of ``<id>.txt`` (the text) and ``<id>.ann`` per annotation set.

Text-bound annotations ``T<n>\\t<type> <start> <end>\\t<quote>``, the type made from the
label by the rule in ``labels.py`` (brat types cannot hold spaces). brat reads an ``.ann`` file
line by line with Python's ``splitlines`` rules, so no line may hold a line break of any kind
(``\\n``, ``\\r``, U+2028, U+2029, U+0085, ...): a span holding one is written as brat's
discontinuous fragments (``start end;start end``) split at the line breaks. Line breaks inside
the span fall between fragments; those at its edges become fragments of their own, so the first
fragment starts and the last ends exactly where the span does. The text field joins the
fragments' texts with a space, as brat does, with every line break written as a space.
Linked actors and notes are ``#<n>\\tAnnotatorNotes T<n>\\t...`` lines; actors' external ids and
kinds, claims (claimant and target relations, claim type, Admiralty grading) and the threat
level are ``N``, ``R`` and ``A`` lines (``link_lines``). Offsets are Unicode
code points. Entries carry a fixed date so the same data gives the same zip bytes.

"Line break" means every character that ends a line for ``str.splitlines`` (and so for any
reader that splits as Python does), not only LF: CR, VT, FF, the file, group and record
separators, NEL, and U+2028 and U+2029. Quotes are cut around each of them, and notes have each
of them replaced by a space, so that no text written on an .ann line can break it.
"""

import re
import zipfile

from annotations.exports.labels import label_tag, label_tags
from annotations.exports.writer import ExportMeta, Files, Record, Writer

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
QID = re.compile(r"Q[1-9][0-9]*")


# The characters str.splitlines() ends a line at: brat's reader splits its lines there.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span cut at line breaks: runs without a line break, plus the runs of line breaks at
    the span's edges, so the fragments start and end where the span does."""
    if LINE_BREAKS.isdisjoint(text[start:end]):  # most spans: one fragment, at C speed
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    piece_start = start
    for offset in range(start, end + 1):
        if offset < end and (text[offset] in LINE_BREAKS) == (text[piece_start] in LINE_BREAKS):
            continue
        inner_breaks = text[piece_start] in LINE_BREAKS and start < piece_start and offset < end
        if not inner_breaks:
            pieces.append((piece_start, offset))
        piece_start = offset
    return pieces


def text_field(text: str, pieces: list[tuple[int, int]]) -> str:
    """The fragments' texts joined with a space, line breaks written as spaces."""
    joined = " ".join(text[s:e] for s, e in pieces)
    if LINE_BREAKS.isdisjoint(joined):
        return joined
    return "".join(" " if ch in LINE_BREAKS else ch for ch in joined)


def one_line(text: str) -> str:
    """`text` with every line break and tab made a space: safe as the last field of a line."""
    if LINE_BREAKS.isdisjoint(text) and "\t" not in text:
        return text
    return "".join(" " if c in LINE_BREAKS or c == "\t" else c for c in text)


def ann_lines(record: Record, label_tag: dict[str, str]) -> list[str]:
    text = record["text"]
    lines, note_number = [], 0
    for number, span in enumerate(record["spans"], start=1):
        pieces = fragments(text, span["start"], span["end"])
        where = ";".join(f"{s} {e}" for s, e in pieces)
        quote = text_field(text, pieces)
        lines.append(f"T{number}\t{label_tag[span['label']]} {where}\t{quote}")
        notes = []
        if span["actor"]:
            notes.append(f"actor: {span['actor']['name']}")
        if span["note"]:
            notes.append(span["note"])
        if notes:
            note_number += 1
            note = one_line(" | ".join(notes))
            lines.append(f"#{note_number}\tAnnotatorNotes T{number}\t{note}")
    return lines + link_lines(record)


def link_lines(record: Record) -> list[str]:
    """Actors, claims and gradings as brat's normalisations, attributes and relations (spans
    are T<position + 1>):

    - ``N<n>\tReference T<k> Wikidata:<QID>\t<actor>`` for a span linked to an actor with a
      Wikidata QID (``Workbench:<id>`` for another external id), and
      ``A<n>\tActorKind T<k> <kind>``;
    - ``R<n>\tClaimant Arg1:T<claim span> Arg2:T<claimant span>`` and
      ``R<n>\tTarget Arg1:T<claim span> Arg2:T<k>`` for each target that a span of the set
      names (the first such span);
    - ``A<n>\tClaimType T<claim span> <type>``, ``A<n>\tReliability T<claim span> <A-F>``,
      ``A<n>\tCredibility T<claim span> <1-6>`` and ``A<n>\tThreatLevel T<claim span>
      <level>`` for each claim the threat assessment rests on.
    """
    spans = record["spans"]
    lines: list[str] = []
    counts = {"N": 0, "A": 0, "R": 0}

    def add(kind: str, body: str) -> None:
        counts[kind] += 1
        lines.append(f"{kind}{counts[kind]}\t{body}")

    first_span_of: dict[str, int] = {}
    for number, span in enumerate(spans, start=1):
        actor = span["actor"]
        if not actor:
            continue
        first_span_of.setdefault(actor["name"], number)
        external_id = actor.get("external_id") or ""
        if external_id:
            source = "Wikidata" if QID.fullmatch(external_id) else "Workbench"
            reference = f"{source}:{label_tag(external_id)}"
            add("N", f"Reference T{number} {reference}\t{one_line(actor['name'])}")
        if actor.get("kind"):
            add("A", f"ActorKind T{number} {label_tag(actor['kind'])}")
    threat = record["threat_assessment"]
    threatened = set(threat["claims"]) if threat else set()
    for claim in record["claims"]:
        stated = claim["span"] + 1
        if claim["claimant_span"] is not None:
            add("R", f"Claimant Arg1:T{stated} Arg2:T{claim['claimant_span'] + 1}")
        for target in claim["targets"]:
            if target["name"] in first_span_of:
                add("R", f"Target Arg1:T{stated} Arg2:T{first_span_of[target['name']]}")
        add("A", f"ClaimType T{stated} {label_tag(claim['claim_type'])}")
        if claim["reliability"]:
            add("A", f"Reliability T{stated} {claim['reliability']}")
        if claim["credibility"]:
            add("A", f"Credibility T{stated} {claim['credibility']}")
        if claim["id"] in threatened:
            add("A", f"ThreatLevel T{stated} {label_tag(threat['level'])}")
    return lines


class BratWriter(Writer):
    DESCRIPTION = "brat standoff (.txt + .ann per article, zipped)"
    SUFFIXES = (".zip",)
    COST = 6

    def __init__(self, files: Files, meta: ExportMeta) -> None:
        self.label_tag = label_tags(meta.labels)
        self.archive = zipfile.ZipFile(files[".zip"], "w", compression=zipfile.ZIP_DEFLATED)

    def write(self, record: Record) -> None:
        stem = record["id"] + (f"-{record['annotator']}" if record["annotator"] else "")
        for name, content in (
            (f"{stem}.txt", record["text"]),
            (f"{stem}.ann", "\n".join(ann_lines(record, self.label_tag)) + "\n"),
        ):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            self.archive.writestr(info, content.encode())

    def close(self) -> None:
        self.archive.close()
