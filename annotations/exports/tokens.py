"""Tokens for the token-level formats (BIO, spaCy), and the rule for overlapping spans.

A token is a run of letters, digits and marks, or one symbol or punctuation character with
whatever is joined to it (combining marks, variation selectors, zero-width joiners and what
they join, skin-tone modifiers, the second regional indicator of a flag), so an emoji, a flag
or a letter with a combining accent is never cut in two. Tokens are also cut at every span
boundary, so every span is exactly a run of whole tokens.

Overlapping spans cannot all be expressed as BIO tags or ``doc.ents``. The rule: sort spans
by start, then longest first, then by label name; keep a span when it overlaps no span kept
before it. So the earliest-starting span wins, and between spans starting together the
longest wins. Every span that loses is reported (never silently dropped).

Tokens hold no whitespace, so a span cannot start or end with whitespace in a token format:
``fit_to_tokens`` trims such a span to its first and last non-whitespace character and drops
a span of whitespace only (a no-break space, say). ``span_changes`` describes every span a
token format changes or drops, with the reason, for the format's report file
(``REPORT_SUFFIX``).
"""

from __future__ import annotations

import bisect
import functools
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence, Set
from typing import Any

Span = dict[str, Any]  # a span of a record: start, end, label, ...


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or unicodedata.category(ch).startswith("M")


def _joins_previous(ch: str) -> bool:
    """Characters that belong to the character before them."""
    code = ord(ch)
    return (
        unicodedata.category(ch).startswith("M")
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
        or code == 0x200D  # zero-width joiner
    )


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def tokenize(text: str, cuts: Set[int] = frozenset()) -> list[tuple[int, int]]:
    """Token offsets [(start, end), ...] in code points, never crossing a position in `cuts`.

    ``_found`` finds each token as ``tokenize_by_character`` would without cuts; a token with
    a cut inside is tokenized again by character from its start."""
    found = _found(text)
    starts = [start for start, _ in found]
    cut_tokens = set()  # the indexes in `found` of the tokens with a cut inside
    for cut in cuts:
        index = bisect.bisect_right(starts, cut) - 1
        if index >= 0 and cut < found[index][1] and cut != found[index][0]:
            cut_tokens.add(index)
    if not cut_tokens:
        return found
    tokens: list[tuple[int, int]] = []
    done = 0
    for index in sorted(cut_tokens):
        tokens += found[done:index]
        start, end = found[index]
        after = _tokens_from(text, start, end, cuts, tokens)
        if after > end:  # a token ran on past the match (a joiner at a cut): go on by
            _tokens_from(text, after, len(text), cuts, tokens)  # character to the end
            return tokens
        done = index + 1
    return tokens + found[done:]


def _found(text: str) -> list[tuple[int, int]]:
    """The tokens of `text` without cuts. ``SIMPLE_TOKEN`` finds them three times as fast as
    ``_token_pattern``, and the same, in every run of non-space characters where no character
    joins another; ``_token_pattern`` tokenizes the runs that hold such a character (a token
    never holds a space, so each run is tokenized on its own), or the whole text when such
    characters are all through it (a script written with combining marks)."""
    joining = [] if text.isascii() else [ch for ch in set(text) if _joins(ch)]
    if joining and sum(map(text.count, joining)) * 50 > len(text):
        return [match.span() for match in _token_pattern().finditer(text)]
    found = [match.span() for match in SIMPLE_TOKEN.finditer(text)]
    if not joining:
        return found
    runs = []  # (start, end) of each run of non-space characters holding a joining one
    end = 0
    for at in sorted(at for ch in joining for at in _positions(text, ch)):
        if at < end:
            continue  # in the run found last
        start = at
        while start > end and not text[start - 1].isspace():
            start -= 1
        space = SPACE.search(text, at)
        end = space.start() if space else len(text)
        runs.append((start, end))
    starts = [start for start, _ in found]
    pattern = _token_pattern()
    tokens: list[tuple[int, int]] = []
    done = 0  # the index in `found` of the first token not taken yet
    for start, end in runs:
        first = bisect.bisect_left(starts, start)
        tokens += found[done:first]
        tokens += [match.span() for match in pattern.finditer(text, start, end)]
        done = bisect.bisect_left(starts, end)
    return tokens + found[done:]


def _positions(text: str, ch: str) -> Iterator[int]:
    at = text.find(ch)
    while at >= 0:
        yield at
        at = text.find(ch, at + 1)


def _joins(ch: str) -> bool:
    """A character that ``SIMPLE_TOKEN`` would not keep with its neighbours."""
    return _joins_previous(ch) or _regional(ch)


@functools.lru_cache(maxsize=4)
def tokens_of(text: str, cuts: frozenset[int]) -> tuple[tuple[int, int], ...]:
    """``tokenize(text, cuts)``, remembered for the last few texts: a release writes each
    record in BIO and spaCy one after the other, and both cut it into the same tokens."""
    return tuple(tokenize(text, cuts))


def tokenize_by_character(text: str, cuts: Set[int] = frozenset()) -> list[tuple[int, int]]:
    """What ``tokenize`` gives, found one character at a time (the definition it follows)."""
    tokens: list[tuple[int, int]] = []
    _tokens_from(text, 0, len(text), cuts, tokens)
    return tokens


def _tokens_from(
    text: str, i: int, stop: int, cuts: Set[int], tokens: list[tuple[int, int]]
) -> int:
    """Append the tokens that start from `i` up to `stop` (the last may end beyond it); the
    position after them."""
    n = len(text)
    while i < min(n, stop):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        start = i
        if _is_word(ch):
            i += 1
            while i < n and i not in cuts and (_is_word(text[i]) or _joins_previous(text[i])):
                i += 1
        else:
            i += 1
            if _regional(ch) and i < n and _regional(text[i]) and i not in cuts:
                i += 1
            while i < n and i not in cuts and _joins_previous(text[i]):
                joiner = text[i] == "\u200d"
                i += 1
                if joiner and i < n and i not in cuts and not text[i].isspace():
                    i += 1
        tokens.append((start, i))
    return i


# ``_token_pattern`` where no character is a mark, a joiner or a regional indicator (``_found``).
SIMPLE_TOKEN = re.compile(r"\w+|\S")
SPACE = re.compile(r"\s")


@functools.cache
def _token_pattern() -> re.Pattern[str]:
    """One token as ``_tokens_from`` reads it without cuts: a word character (``\\w`` is
    ``str.isalnum()`` or "_", plus the marks) and the word and joining characters after it;
    or any other non-space character (two regional indicators together) and the joining
    characters after it, a zero-width joiner taking the non-space character it joins."""
    marks = _ranges(
        code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code))[0] == "M"
    )
    joins = marks + r"\uFE00-\uFE0F\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F"
    regional = r"[\U0001F1E6-\U0001F1FF]"
    return re.compile(
        rf"[\w{marks}][\w{joins}\u200d]*"
        rf"|(?:{regional}{regional}|(?![\w{marks}])\S)(?:\u200d\S?|[{joins}])*"
    )


def _ranges(codes: Iterable[int]) -> str:
    """A regular expression character class's inside for the code points `codes` (ascending)."""
    parts: list[str] = []
    first = last = -2
    for code in codes:
        if code == last + 1:
            last = code
            continue
        if first >= 0:
            parts.append(_range(first, last))
        first = last = code
    if first >= 0:
        parts.append(_range(first, last))
    return "".join(parts)


def _range(first: int, last: int) -> str:
    return f"\\U{first:08X}" if first == last else f"\\U{first:08X}-\\U{last:08X}"


REPORT_SUFFIX = ".report.jsonl"
TRIMMED = "trimmed"
DROPPED = "dropped"
WHITESPACE_EDGE = "starts or ends with whitespace, which no token holds"
WHITESPACE_ONLY = "holds only whitespace, which no token holds"
OVERLAP = "overlaps a span that wins (earliest start, then longest, then label name)"


def _fields(span: Span) -> dict[str, Any]:
    return {key: span[key] for key in ("start", "end", "quote", "label")}


def fit_to_tokens(text: str, spans: list[Span]) -> tuple[list[Span], list[dict[str, Any]]]:
    """(the spans as tokens can hold them: whitespace edges trimmed, whitespace-only spans
    left out; a report entry for each span trimmed or left out)."""
    fitted: list[Span] = []
    changes: list[dict[str, Any]] = []
    for span in spans:
        start, end = span["start"], span["end"]
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start == end:
            changes.append({"span": _fields(span), "outcome": DROPPED, "reason": WHITESPACE_ONLY})
            continue
        if (start, end) != (span["start"], span["end"]):
            written = span | {"start": start, "end": end, "quote": text[start:end]}
            changes.append(
                {
                    "span": _fields(span),
                    "outcome": TRIMMED,
                    "reason": WHITESPACE_EDGE,
                    "written": _fields(written),
                }
            )
            span = written
        fitted.append(span)
    return fitted, changes


def overlap_changes(dropped: list[Span], kept: list[Span], outcome: str) -> list[dict[str, Any]]:
    """A report entry for each span `dropped` by the overlap rule, with the span that beat it."""
    changes = []
    for span in dropped:
        winner = next(k for k in kept if k["start"] < span["end"] and span["start"] < k["end"])
        changes.append(
            {"span": _fields(span), "outcome": outcome, "reason": OVERLAP, "kept": _fields(winner)}
        )
    return changes


def split_overlaps(spans: list[Span]) -> tuple[list[Span], list[Span]]:
    """(kept, dropped) by the rule in this module's docstring; both in text order."""
    ordered = sorted(spans, key=lambda s: (s["start"], -(s["end"] - s["start"]), s["label"]))
    kept: list[Span] = []
    dropped: list[Span] = []
    for span in ordered:
        if kept and span["start"] < kept[-1]["end"]:
            dropped.append(span)
        else:
            kept.append(span)
    return kept, dropped


def span_cuts(spans: list[Span]) -> frozenset[int]:
    return frozenset(offset for span in spans for offset in (span["start"], span["end"]))


def bio_tags(tokens: Sequence[tuple[int, int]], kept: list[Span]) -> list[str]:
    """BIO tags for the tokens from non-overlapping spans whose edges are token edges."""
    tags = ["O"] * len(tokens)
    index_of_start = {start: i for i, (start, _) in enumerate(tokens)}
    for span in kept:
        i = index_of_start.get(span["start"])
        if i is None:  # the span starts in whitespace; start at the first token inside it
            i = next((k for k, (s, _) in enumerate(tokens) if s >= span["start"]), len(tokens))
        first = True
        while i < len(tokens) and tokens[i][1] <= span["end"]:
            tags[i] = ("B-" if first else "I-") + span["label"]
            first = False
            i += 1
    return tags
