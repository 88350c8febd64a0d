"""The project's guidelines as annotators read them: Markdown rendered to safe HTML, and what
changed between two versions."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# CommonMark with tables and strikethrough; raw HTML in the text is shown as text, not run.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)
# What the rendered guidelines may hold: Markdown's own elements, nothing else. nh3 cleans the
# HTML again (markdown-it escapes raw HTML already), and links open no window on our page.
_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
# No images: the Content-Security-Policy loads none from elsewhere, and a remote image would
# tell its server who reads the guidelines, and when.
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


def render_markdown(text: str) -> SafeString:
    """`text` (Markdown) as HTML that is safe to put on a page."""
    html = _MARKDOWN.render(text)
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308  # cleaned by nh3 just above


@dataclass(frozen=True)
class DiffLine:
    kind: Literal["same", "added", "removed", "gap"]
    text: str


def diff_lines(old: str, new: str, *, context: int = 2) -> list[DiffLine]:
    """The lines that changed from `old` to `new`, with `context` unchanged lines around each
    change; a "gap" line stands for unchanged lines left out."""
    before, after = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    lines: list[DiffLine] = []
    for group in matcher.get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("gap", "…"))
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                lines.extend(DiffLine("same", line) for line in before[a1:a2])
                continue
            lines.extend(DiffLine("removed", line) for line in before[a1:a2])
            lines.extend(DiffLine("added", line) for line in after[b1:b2])
    return lines
