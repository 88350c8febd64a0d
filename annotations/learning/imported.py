"""Imported predictions: the spans an external model predicted, read from a JSONL file and kept
as a prediction source, a suggester of its own (annotations.learning.suggesters).

The file, one JSON object a line (blank lines are skipped):

    {"source": "spancat", "version": "3"}                      an optional first line
    {"article": 12, "spans": [{"start": 0, "end": 7, "label": "actor", "score": 0.87}]}
    {"external_id": "rss-2291", "spans": [...]}
    {"sha256": "9f86d08…", "spans": [...]}

Each article line names one article of the project by exactly one of "article" (its id),
"external_id" or "sha256" (of its text), and lists spans: start and end in Unicode code points
of the article's text (end exclusive), a label of the project by name, a score from 0 to 1,
and optionally an actor of the registry by name ("actor") and the text it expects ("quote",
checked against the article). The source's name and version come from the first line, or from
the import form or command (which win). A file is imported whole or not at all; the first
problem is reported as "file, line N: reason".
"""

from __future__ import annotations

import io
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import IO, Any, cast

from annotations.actors import actor_key, actors_by_key
from annotations.importing.lines import Lines, sha256_of_stream
from annotations.importing.parsers import json_lines
from annotations.importing.records import ImportRejected
from annotations.learning.gazetteer import NAME as GAZETTEER
from annotations.models import Article, Prediction, Project
from annotations.text import shown

# How many spans one file may bring (every one becomes a row).
MAX_PREDICTIONS = 2_000_000


@dataclass
class PredictionFile:
    """A checked file: its source's name and version, and its predictions (unsaved)."""

    name: str
    version: str
    sha256: str
    predictions: list[Prediction] = field(default_factory=list)
    articles: int = 0


class _Articles:
    """The project's articles by id, external id and text hash (read once)."""

    def __init__(self, project: Project) -> None:
        rows = list(
            Article.objects.filter(project=project).values_list("pk", "external_id", "body_sha256")
        )
        self.ids = {pk for pk, _, _ in rows}
        self.by_sha = {sha: pk for pk, _, sha in rows}
        self.by_external: dict[str, list[int]] = {}
        for pk, external_id, _ in rows:
            if external_id:
                self.by_external.setdefault(external_id, []).append(pk)

    def find(self, item: dict[str, Any], reject: Any) -> int:
        given = [key for key in ("article", "external_id", "sha256") if key in item]
        if len(given) != 1:
            raise reject(
                "name the article by exactly one of 'article' (its id), 'external_id' or "
                "'sha256' (of its text)."
            )
        key = given[0]
        value = item[key]
        if key == "article":
            if isinstance(value, bool) or not isinstance(value, int) or value not in self.ids:
                raise reject(f"no article {shown(value)} in this project.")
            return value
        if not isinstance(value, str):
            raise reject(f"'{key}' must be a string.")
        if key == "sha256":
            if value.lower() not in self.by_sha:
                raise reject(f"no article of this project has the text with sha256 {shown(value)}.")
            return self.by_sha[value.lower()]
        found = self.by_external.get(value, [])
        if len(found) != 1:
            why = "no article" if not found else f"{len(found)} articles"
            raise reject(f"{why} of this project with the external id {shown(value)}.")
        return found[0]


def read_predictions(
    *,
    project: Project,
    filename: str,
    data: bytes | IO[bytes],
    name: str = "",
    version: str = "",
) -> PredictionFile:
    """Check a predictions file against the project; ImportRejected names the first problem."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    if stream.seekable():
        return _read(project, filename, stream, name, version)
    # A pipe: kept aside (on disk past 16 MiB), since the file is read twice.
    with tempfile.SpooledTemporaryFile(max_size=16 << 20) as spooled:
        shutil.copyfileobj(stream, spooled)
        spooled.seek(0)
        return _read(project, filename, cast(IO[bytes], spooled), name, version)


def _read(
    project: Project, filename: str, stream: IO[bytes], name: str, version: str
) -> PredictionFile:
    sha256 = sha256_of_stream(stream)
    lines = Lines(filename, stream)
    articles = _Articles(project)
    labels = {label.name: label for label in project.labels.all()}
    actors = actors_by_key(project)
    seen: set[int] = set()
    header: dict[str, Any] = {}
    predictions: list[Prediction] = []
    for number, item in json_lines(lines):

        def reject(reason: str, number: int = number) -> ImportRejected:
            return ImportRejected(filename, number, reason)

        if "spans" not in item:
            if predictions or seen or header:
                raise reject("a line without 'spans' may only come first (the source line).")
            header = item
            for key in ("source", "version"):
                if not isinstance(item.get(key, ""), str):
                    raise reject(f"'{key}' must be a string.")
            continue
        article_id = articles.find(item, reject)
        if article_id in seen:
            raise reject("this article came on an earlier line already.")
        seen.add(article_id)
        spans = item["spans"]
        if not isinstance(spans, list):
            raise reject("'spans' must be a list.")
        # Each article comes once (above): its text is read for its line only.
        body = Article.objects.values_list("body", flat=True).get(pk=article_id) if spans else ""
        on_line: dict[tuple[Any, ...], int] = {}
        for position, span in enumerate(spans, start=1):
            prediction = _prediction(
                span,
                f"span {position}",
                article_id,
                body,
                labels,
                actors,
                reject,
            )
            same = (prediction.start, prediction.end, prediction.label, prediction.actor)
            if same in on_line:
                raise reject(
                    f"span {position} is span {on_line[same]} again (the same range, label and "
                    "actor); keep one."
                )
            on_line[same] = position
            predictions.append(prediction)
            if len(predictions) > MAX_PREDICTIONS:
                raise reject(f"more than {MAX_PREDICTIONS:,} predictions; split the file.")
    if lines.blank:
        raise lines.empty()
    name = (name or str(header.get("source", ""))).strip()
    version = (version or str(header.get("version", ""))).strip()
    if not name:
        raise ImportRejected(
            filename,
            None,
            "the source has no name: give it on the form or in a first line "
            '{"source": ..., "version": ...}.',
        )
    if name == GAZETTEER:
        raise ImportRejected(
            filename, None, f"{shown(name)} is the actor registry's own name; choose another."
        )
    if len(name) > 100 or len(version) > 100:
        raise ImportRejected(
            filename, None, "the source's name and version are 100 characters at most."
        )
    if not seen:
        raise ImportRejected(filename, None, "the file names no article.")
    return PredictionFile(name, version, sha256, predictions, len(seen))


def _prediction(
    span: Any,
    where: str,
    article_id: int,
    body: str,
    labels: dict[str, Any],
    actors: dict[str, Any],
    reject: Any,
) -> Prediction:
    if not isinstance(span, dict):
        raise reject(f"{where} must be a JSON object.")
    start, end = span.get("start"), span.get("end")
    if (
        isinstance(start, bool)
        or isinstance(end, bool)
        or not isinstance(start, int)
        or not isinstance(end, int)
    ):
        raise reject(f"{where}: 'start' and 'end' must be whole numbers (code points).")
    length = len(body)
    if not 0 <= start < end <= length:
        raise reject(
            f"{where}: {start}–{end} is not a stretch of the article's text "
            f"(0–{length}, end exclusive)."
        )
    quote = span.get("quote")
    if quote is not None and quote != body[start:end]:
        raise reject(
            f"{where}: the text at {start}–{end} is {shown(body[start:end])}, not {shown(quote)}."
        )
    label_name = span.get("label")
    label = labels.get(label_name) if isinstance(label_name, str) else None
    if label is None:
        raise reject(
            f"{where}: unknown label {shown(span.get('label'))}; the project's labels are "
            f"{sorted(labels)}."
        )
    score = span.get("score")
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        raise reject(f"{where}: 'score' must be a number from 0 to 1, not {shown(score)}.")
    actor = None
    if span.get("actor") is not None:
        if not isinstance(span["actor"], str):
            raise reject(f"{where}: 'actor' must be an actor's name.")
        actor = actors.get(actor_key(span["actor"]))
        if actor is None:
            raise reject(f"{where}: no actor named {shown(span['actor'])} in the registry.")
    return Prediction(
        article_id=article_id, start=start, end=end, label=label, actor=actor, score=float(score)
    )
