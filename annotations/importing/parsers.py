"""One parser per import format, behind one interface, ``Parser``; ``PARSERS`` names them.

A new format is one class with a ``parse`` method and one line in ``PARSERS``. Parsers read
and check; they write nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Protocol

from annotations.importing.checking import RecordChecker
from annotations.importing.lines import Lines
from annotations.importing.records import (
    ARTICLE_FIELDS,
    ArticleRecord,
    ImportRejected,
    Item,
    clip_title,
    parse_date,
    title_from,
)
from annotations.json_input import JsonRefused, parse_json
from annotations.text import normalise_text


class Parser(Protocol):
    def parse(self, lines: Lines, checker: RecordChecker) -> Iterator[ArticleRecord]:
        """Every article of a file, read from its decoded `lines` as they come, in file order,
        each checked against the project through `checker`; raise the ImportRejected of
        `checker.reject(line, reason)` at the first problem (storing runs in one transaction,
        so a file is still imported whole or not at all)."""
        ...


class TextParser:
    """Plain text: the whole file is one article; its first non-empty line is the title."""

    def parse(self, lines: Lines, checker: RecordChecker) -> Iterator[ArticleRecord]:
        body = checker.body(lines.whole(), None)
        yield ArticleRecord(line=1, title=title_from(body), body=body)


class HtmlParser:
    """An HTML page reduced to its main text, title, date, URL, site and language by
    trafilatura."""

    def parse(self, lines: Lines, checker: RecordChecker) -> Iterator[ArticleRecord]:
        text = lines.whole()
        # Imported here, not at the top: it takes ~0.4 s and only HTML imports need it.
        import trafilatura

        extracted = trafilatura.extract(
            text, include_comments=False, include_tables=True, deduplicate=True
        )
        if not extracted or not extracted.strip():
            raise checker.reject(None, "no article text could be found in the HTML page.")
        # The date only from the page's metadata (meta tags, JSON-LD, <time>, a dated URL):
        # the extensive search reads the text too, and made "Copyright 2024" in a footer
        # into a publication date of 1 Jan 2024. No date found is no date.
        metadata = trafilatura.extract_metadata(text, extensive=False)
        body = checker.body(extracted, None)
        title = normalise_text((metadata.title if metadata else None) or "").strip()
        published = None
        if metadata and metadata.date:
            published = parse_date(metadata.date)
        yield ArticleRecord(
            line=1,
            title=clip_title(title) or title_from(body),
            body=body,
            url=(metadata.url if metadata else None) or "",
            source=(metadata.sitename if metadata else None) or "",
            published=published,
            language=(metadata.language if metadata else None) or "",
        )


def json_lines(lines: Lines) -> Iterator[tuple[int, Item]]:
    """(line number, object) for every non-blank line; a bad line (malformed, too deep, or with
    a string no text may hold: ``annotations.json_input``) rejects the file."""
    for number, line in enumerate(lines, start=1):
        line = line.removesuffix("\n")
        if not line.strip():
            continue
        try:
            item = parse_json(line)
        except JsonRefused as error:
            raise ImportRejected(lines.filename, number, error.reason) from None
        if not isinstance(item, dict):
            raise ImportRejected(lines.filename, number, "each line must be a JSON object.")
        yield number, item


class JsonlParser:
    """JSON Lines: one article per line, an item as ``checking.py`` describes it."""

    def parse(self, lines: Lines, checker: RecordChecker) -> Iterator[ArticleRecord]:
        for number, item in json_lines(lines):
            yield checker.record(item, number)


class NativeParser:
    """The workbench's own JSONL export: JSONL with claims and a threat assessment. Each line
    is one annotation set, so a line without spans still makes an (empty) set."""

    def parse(self, lines: Lines, checker: RecordChecker) -> Iterator[ArticleRecord]:
        for number, item in json_lines(lines):
            yield checker.record(item, number, every_line_is_a_set=True)


class DoccanoParser:
    """doccano JSONL: "text" and "label" [[start, end, label], ...] (or "entities" with
    start_offset / end_offset / label); other keys that name article fields are kept.
    Each line is one annotator's work, so a line without labels still makes a set."""

    def parse(self, lines: Lines, checker: RecordChecker) -> Iterator[ArticleRecord]:
        for number, item in json_lines(lines):
            spans = []
            labels = item.get("label", item.get("labels", [])) or []
            entities = item.get("entities") or []
            if not isinstance(labels, list) or not isinstance(entities, list):
                raise checker.reject(number, "'label' and 'entities' must be lists.")
            for position, entry in enumerate(labels, start=1):
                if not (isinstance(entry, list) and len(entry) == 3):
                    raise checker.reject(
                        number, f"label {position} must be [start, end, label], not {entry!r}."
                    )
                spans.append({"start": entry[0], "end": entry[1], "label": entry[2]})
            for position, entry in enumerate(entities, start=1):
                if not isinstance(entry, dict):
                    raise checker.reject(number, f"entity {position} must be a JSON object.")
                spans.append(
                    {
                        "start": entry.get("start_offset"),
                        "end": entry.get("end_offset"),
                        "label": entry.get("label"),
                    }
                )
            converted = {k: item[k] for k in (*ARTICLE_FIELDS, "text") if k in item}
            if isinstance(item.get("annotator"), str):
                converted["annotator"] = item["annotator"]
            converted["spans"] = spans
            yield checker.record(converted, number, every_line_is_a_set=True)


class CsvParser:
    """CSV with a header row: a "text" column, the article fields' columns, and any other
    columns kept as the article's metadata. Quoted cells may hold line breaks."""

    def parse(self, lines: Lines, checker: RecordChecker) -> Iterator[ArticleRecord]:
        reader = csv.reader(lines, strict=True)
        try:
            header = next(reader)
        except (StopIteration, csv.Error) as error:
            raise checker.reject(1, f"cannot read the header row: {error}.") from None
        columns = [name.strip().lower() for name in header]
        if "text" not in columns:
            raise checker.reject(1, f"the header row has no 'text' column (found: {header}).")
        if len(set(columns)) != len(columns):
            raise checker.reject(1, "the header row names a column twice.")
        line = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                raise checker.reject(line, f"malformed CSV: {error}.") from None
            if any(cell.strip() for cell in row):
                if len(row) != len(columns):
                    raise checker.reject(
                        line, f"the row has {len(row)} fields but the header has {len(columns)}."
                    )
                cells = dict(zip(columns, row, strict=True))
                extra = {k: v for k, v in cells.items() if k not in (*ARTICLE_FIELDS, "text")}
                item: Item = {k: v for k, v in cells.items() if k not in extra}
                item["metadata"] = extra
                yield checker.record(item, line)
            line = reader.line_num + 1


PARSERS: dict[str, Parser] = {
    "text": TextParser(),
    "html": HtmlParser(),
    "jsonl": JsonlParser(),
    "csv": CsvParser(),
    "native": NativeParser(),
    "doccano": DoccanoParser(),
}
