"""The annotate page's heavy HTML, built in Python: the article text with its highlights, the
list of spans, and the <option>s many forms repeat.

Built here rather than in the template because a template loop over a thousand spans costs more
than everything else the page does (docs/performance.md). Every user-written value (article
text, quotes, label and actor names) is escaped where it is put into the markup, and the result
is marked safe only at the end of each builder.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape  # what django.utils.html.escape calls, minus its lazy-text check

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from annotations.models import Actor, AnnotationSet, Claim, Label, Project, Span


@dataclass(slots=True)
class ShownSpan:
    """A span as the annotate page shows it. Read as plain values rather than as model
    instances: at a thousand spans per article, building Span instances cost more than
    everything else the page does with them."""

    FIELDS = ("pk", "start", "end", "quote", "label_id", "actor_id", "note")

    pk: int
    start: int
    end: int
    quote: str
    label: Label
    actor: Actor | None
    note: str

    @property
    def label_id(self) -> int:
        return self.label.pk

    @property
    def actor_id(self) -> int | None:
        return self.actor.pk if self.actor is not None else None


AnySpan = Span | ShownSpan


@dataclass
class Segment:
    """A stretch of the body between two span boundaries, and the spans covering it."""

    start: int
    end: int
    text: str
    spans: list[AnySpan] = field(default_factory=list)

    @property
    def span_ids(self) -> str:
        return " ".join(str(span.pk) for span in self.spans)


@dataclass(frozen=True)
class Mark:
    """A stretch of the text shown apart from the spans: a pending suggestion or a region not
    to annotate. Marks never overlap each other."""

    start: int
    end: int
    css_class: str
    title: str
    key: str = ""  # a suggestion's key


def segments_of(body: str, spans: Sequence[AnySpan], marks: Sequence[Mark] = ()) -> list[Segment]:
    """Cut the body at every span (and mark) boundary; each piece lists the spans covering it,
    outermost first (so nested and overlapping spans all stay visible and selectable)."""
    cuts = sorted(
        {
            0,
            len(body),
            *(s.start for s in spans),
            *(s.end for s in spans),
            *(m.start for m in marks),
            *(m.end for m in marks),
        }
    )
    starting: dict[int, list[AnySpan]] = {}
    for span in spans:
        starting.setdefault(span.start, []).append(span)
    active: list[AnySpan] = []
    segments: list[Segment] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        active = [span for span in active if span.end > start] + starting.get(start, [])
        active.sort(key=lambda s: (s.start, -s.end, s.pk))
        segments.append(Segment(start, end, body[start:end], list(active)))
    return segments


# How many stacked underlines the text draws under a segment (annotate.css and label_css
# style lanes 0 to LANES - 1); spans deeper than that share the last one.
LANES = 4


def span_lanes(spans: Sequence[AnySpan]) -> dict[int, int]:
    """Each span's lane: the lowest underline no span it overlaps already takes (brat and
    INCEpTION stack them the same way), so every span's extent stays visible."""
    lane_ends: list[int] = []
    lanes: dict[int, int] = {}
    for span in sorted(spans, key=lambda s: (s.start, -s.end, s.pk)):
        lane = next((i for i, end in enumerate(lane_ends) if end <= span.start), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(span.end)
        lane_ends[lane] = span.end
        lanes[span.pk] = lane
    return lanes


def label_tag(name: str) -> str:
    """A label's short tag in the text: its words' initials ("military force": "MF")."""
    return "".join(word[0] for word in name.split()).upper()[:3] or "?"


def article_body_html(segments: list[Segment], marks: Sequence[Mark] = ()) -> SafeString:
    """The article body with its highlights, built here rather than in the template: a template
    loop over a thousand spans' segments costs more than everything else on the page.

    Each highlight is coloured by its innermost span's label; every span covering it draws its
    own underline in its lane (class "u<lane>-<label>"), and where spans start, a tag names
    their labels (`data-tag`, shown by annotate.css, not part of the text)."""
    all_spans = {span.pk: span for seg in segments for span in seg.spans}
    lanes = span_lanes(list(all_spans.values()))
    opening = {mark.start: mark for mark in marks}
    closing = {mark.end for mark in marks}
    parts = []
    for seg in segments:
        mark = opening.get(seg.start)
        if mark is not None:
            key = f' data-suggestion="{escape(mark.key)}"' if mark.key else ""
            parts.append(f'<span class="{mark.css_class}" title="{escape(mark.title)}"{key}>')
        parts.append(_segment_html(seg, lanes))
        if seg.end in closing:
            parts.append("</span>")
    return mark_safe("".join(parts))  # every piece of text above is escaped


def _segment_html(seg: Segment, lanes: dict[int, int]) -> str:
    """One piece of the text: plain, or a highlight with an underline per span covering it."""
    text = escape(seg.text)
    if not seg.spans:
        return text
    innermost = seg.spans[-1]
    underlines = "".join(
        f" u{min(lanes[span.pk], LANES - 1)}-{span.label_id}" for span in seg.spans
    )
    starting = [span for span in seg.spans if span.start == seg.start]
    tag = ""
    if starting:
        names = " ".join(label_tag(span.label.name) for span in starting)
        tag = f' data-tag="{escape(names)}"'
    return (
        f'<span class="seg label-{innermost.label_id}{underlines}"{tag} '
        f'data-spans="{seg.span_ids}">{text}</span>'
    )


def span_list_html(
    project: Project, annotation_set: AnnotationSet, spans: list[ShownSpan]
) -> SafeString:
    """The side panel's list of spans, grouped by label (with counts) and numbered within each
    group in the order of the text (see article_body_html for why it is built here)."""
    if not spans:
        return mark_safe('<li class="muted">None yet.</li>')
    detail = span_url_maker("span-detail", project, annotation_set)
    groups: dict[int, list[ShownSpan]] = {}
    for span in spans:
        groups.setdefault(span.label_id, []).append(span)
    ordered = sorted(groups.values(), key=lambda g: (g[0].label.position, g[0].label.name))
    html = []
    for group in ordered:
        label = group[0].label
        html.append(
            f'<li class="span-group" data-label="{label.pk}"><h3><span class="swatch '
            f'label-{label.pk}"></span> {escape(label.name)} '
            f'<span class="muted">({len(group)})</span></h3><ol>'
        )
        for span in group:
            actor = f" → {escape(span.actor.name)}" if span.actor is not None else ""
            html.append(
                f'<li><a class="span-link" data-span-id="{span.pk}" href="?span={span.pk}" '
                f'hx-get="{escape(detail(span.pk))}" hx-target="#editor" hx-swap="outerHTML">'
                f"{escape(truncate_chars(span.quote, 60))}{actor}</a></li>"
            )
        html.append("</ol></li>")
    return mark_safe("".join(html))  # every user-written value above is escaped


class Options:
    """The <option>s of a select that many forms repeat (a claimant select in every claim's
    form, each listing every actor), built once per request; each form picks its selection."""

    def __init__(self, options: list[tuple[int, str]]) -> None:
        self.options = options  # (value, label already escaped)

    def html(self, selected: int | set[int] | None = None) -> SafeString:
        chosen = selected if isinstance(selected, set) else {selected}
        return mark_safe(  # the labels were escaped when the options were built
            "".join(
                f'<option value="{pk}"{" selected" if pk in chosen else ""}>{text}</option>'
                for pk, text in self.options
            )
        )


@dataclass(frozen=True, slots=True)
class ShownClaim:
    """A claim on the annotate page, with the <option>s of its edit form's selects."""

    claim: Claim
    claimant: SafeString
    claimant_span: SafeString
    targets: SafeString


def claimant_span_options(spans: list[ShownSpan]) -> Options:
    """The "span linked to the claimant" choices: every span linked to an actor."""
    return Options(
        [
            (
                span.pk,
                f"{escape(truncate_chars(span.quote, 40))} "
                f"({escape(span.actor.name)}, {span.start})",
            )
            for span in spans
            if span.actor is not None
        ]
    )


def truncate_chars(text: str, length: int) -> str:
    """The `truncatechars` filter's result, without its cost for text that needs no cutting."""
    text = unicodedata.normalize("NFC", text)
    return text if len(text) <= length else Truncator(text).chars(length)


def span_url_maker(
    name: str, project: Project, annotation_set: AnnotationSet
) -> Callable[[int], str]:
    """`reverse` for many spans of one set: resolved once, then the span's id put in."""
    marker = 987654321
    url = reverse(f"annotations:{name}", args=[project.slug, annotation_set.pk, marker])
    head, tail = url.rsplit(str(marker), 1)
    return lambda span_id: f"{head}{span_id}{tail}"
