"""The adjudication page's heavy HTML, built in Python: the article text once per layer (gold
and each annotator's, the same text so the layers line up side by side) and the item list.

Built here rather than in the template for the reason annotate_html gives: a template loop over
a thousand items costs more than everything else the page does. Every user-written value
(article text, quotes, label and actor names) is escaped where it is put into the markup, and
the result is marked safe only at the end of each builder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote as url_quote

from django.utils.safestring import SafeString, mark_safe

from annotations.adjudication import Item, Merged
from annotations.annotate_html import segments_of, truncate_chars
from annotations.models import AdjudicationDecision, Span

Outcome = AdjudicationDecision.Outcome


def item_state(item: Item) -> str:
    """How an item stands, as the page's colours say it: agree or disagree while undecided,
    then accepted, edited or rejected."""
    if item.decision is not None:
        return str(item.decision.outcome)
    return "agree" if item.unanimous else "disagree"


STATE_WORDS = {
    "agree": "Unanimous",
    "disagree": "Disagreement",
    "accepted": "Accepted",
    "edited": "Edited",
    "rejected": "Rejected",
}


def in_text_order(items: Sequence[Item]) -> list[Item]:
    """Items as a reader meets them: by position, a span before the claim it states, the
    threat level last."""
    kinds = {"span": 0, "claim": 1, "threat": 2}
    return sorted(
        items,
        key=lambda i: (i.kind == "threat", i.start or 0, kinds[i.kind], -(i.end or 0), i.key),
    )


@dataclass
class Layer:
    """One column of the text: the gold layer or an annotator's."""

    title: str
    slug: str
    number: int | None  # the annotator's key (1..k); None for gold
    html: SafeString


def _span_title(span: Span) -> str:
    actor = f" → {span.actor.name}" if span.actor_id and span.actor else ""
    return f"{span.label.name}{actor}"


def layer_html(
    body: str, spans: Sequence[Span], key_of: dict[int, str], state_of: dict[str, str]
) -> SafeString:
    """The article body as paragraphs, with one highlight per stretch a span covers: its
    item's key and state (the innermost span's, where spans nest)."""
    parts = ["<p>"]
    for seg in segments_of(body, spans):
        pieces = seg.text.split("\n")
        if not seg.spans:
            parts.append("</p><p>".join(escape(piece) for piece in pieces))
            continue
        innermost = seg.spans[-1]
        assert isinstance(innermost, Span)
        key = key_of.get(innermost.pk, "")
        state = state_of.get(key, "agree")
        nested = " nested" if len(seg.spans) > 1 else ""
        opening = (
            f'<mark class="hl st-{state}{nested}" data-key="{escape(key)}" '
            f'title="{escape(_span_title(innermost))}">'
        )
        parts.append(
            "</p><p>".join(f"{opening}{escape(piece)}</mark>" if piece else "" for piece in pieces)
        )
    parts.append("</p>")
    return mark_safe("".join(parts))  # every piece of text above is escaped


def layers(merged: Merged, gold_spans: Sequence[Span]) -> list[Layer]:
    """The gold layer, then each annotator's, numbered as the keys that take their versions."""
    body = merged.article.body
    state_of = {item.key: item_state(item) for item in merged.items}
    key_of: dict[int, str] = {}
    for item in merged.items:
        if item.kind == "span":
            for row in item.rows:
                key_of[row.pk] = item.key
    gold_key = {
        item.decision.gold_span_id: item.key
        for item in merged.items
        if item.decision is not None and item.decision.gold_span_id
    }
    result = [
        Layer(
            "Gold",
            "gold",
            None,
            layer_html(body, gold_spans, gold_key, dict.fromkeys(gold_key.values(), "gold")),
        )
    ]
    rows_by_set: dict[int, list[Span]] = {s.pk: [] for s in merged.sets}
    for item in merged.items:
        if item.kind == "span":
            for row in item.rows:
                assert isinstance(row, Span)
                rows_by_set[row.annotation_set_id].append(row)
    for number, annotation_set in enumerate(merged.sets, start=1):
        name = annotation_set.annotator.get_username() if annotation_set.annotator else "?"
        result.append(
            Layer(
                name,
                f"set-{annotation_set.pk}",
                number,
                layer_html(body, rows_by_set[annotation_set.pk], key_of, state_of),
            )
        )
    return result


def item_list_html(items: Sequence[Item], current: str | None) -> SafeString:
    """The item list beside the text: one row per item, its state in words and colour."""
    if not items:
        return mark_safe(
            '<li class="muted">Nothing to adjudicate: no annotator marked anything.</li>'
        )
    rows = []
    for item in items:
        state = item_state(item)
        kind = {"span": "Span", "claim": "Claim", "threat": "Threat level"}[item.kind]
        label = f" · {escape(item.label.name)}" if item.label is not None else ""
        text = escape(truncate_chars(item.quote, 48)) if item.quote else ""
        by = ""
        if item.decision is not None:
            by = f" by {escape(item.decision.decided_by.get_username())}"
        selected = ' aria-current="true"' if item.key == current else ""
        rows.append(
            f'<li class="item st-{state}" data-key="{escape(item.key)}" data-state="{state}">'
            f'<a href="?item={escape(url_quote(item.key))}"{selected}>'
            f'<span class="kind">{kind}{label}</span> <span class="quote">{text}</span> '
            f'<span class="state">{STATE_WORDS[state]}{by}</span></a></li>'
        )
    return mark_safe("".join(rows))  # every user-written value above is escaped


def sentence_html(body: str, item: Item, reach: int = 240) -> SafeString:
    """The sentence (or line) around the item, with the item's text marked."""
    if item.start is None or item.end is None:
        return mark_safe("")
    start, end = item.start, item.end
    stop = max(body.rfind(mark, 0, start) for mark in (". ", "? ", "! "))
    left = max(body.rfind("\n", 0, start) + 1, stop + 2 if stop >= 0 else 0, start - reach)
    stops = [i for i in (body.find("\n", end), body.find(". ", end)) if i >= 0]
    right = min([*stops, end + reach, len(body)])
    if right < len(body) and body[right] == ".":
        right += 1
    before = ("…" if left > 0 and body[left - 1] != "\n" else "") + body[left:start]
    after = body[end:right] + ("…" if right < len(body) and body[right] not in "\n" else "")
    return mark_safe(  # every piece of text is escaped
        f"{escape(before)}<mark>{escape(body[start:end])}</mark>{escape(after)}"
    )
