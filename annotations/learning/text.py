"""Sentences of an article by character offsets: what the span tagger trains on, where negative
evidence is cut out, and the context of a claim's stating span. A plain rule (a sentence ends
after ".", "!", "?" or their CJK forms followed by white space, and at every line break), so
training and suggesting cut the same way on any machine, with no language model to download."""

from __future__ import annotations

import re

_END = re.compile(r"(?<=[.!?。！？])\s+|\n+")


def sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of `text` as [start, end), without their surrounding white space."""
    found = []
    start = 0
    for match in _END.finditer(text):
        found.append((start, match.start()))
        start = match.end()
    found.append((start, len(text)))
    result = []
    for begin, end in found:
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        if begin < end:
            result.append((begin, end))
    return result


def sentence_around(bounds: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The stretch from the first sentence [start, end) reaches into to the last one."""
    inside = [(s, e) for s, e in bounds if s < end and start < e]
    if not inside:
        return start, end
    return min(start, inside[0][0]), max(end, inside[-1][1])
