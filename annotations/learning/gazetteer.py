"""The registry gazetteer: a span proposed for every mention of an actor's canonical name or
alias in an article, found in one pass over the text (Aho-Corasick, pyahocorasick) however many
names the registry holds.

A mention matches a name when both read the same after folding: Unicode case folding, accents
and other combining marks dropped, any run of whitespace read as one space. Matches must start
and end on word boundaries; where matches overlap the longest wins (then the first); none
reaches into a region not to annotate. Offsets are code points of the stored text: folding keeps,
for every folded character, the offset of the character it comes from.

The automaton is built once per process and registry state (`registry_fingerprint`), so an
article's proposals cost one read of the registry's names and one pass over its text.
"""

from __future__ import annotations

import hashlib
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from annotations.learning import Proposal, span_proposals
from annotations.models import Actor, ActorAlias, Article, Label, Project

NAME = "gazetteer"
# What a mention of a canonical name and of an alias score: the text is certain, whom it means
# is less so for an alias.
CANONICAL_SCORE = 1.0
ALIAS_SCORE = 0.9


@lru_cache(maxsize=65536)
def _fold_char(char: str) -> str:
    """One character as matching reads it: case-folded, without combining marks, whitespace
    as a space (possibly several characters, "ß" -> "ss", or none, a lone combining mark)."""
    if char.isspace():
        return " "
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFD", char).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def folded(text: str) -> tuple[str, Sequence[int]]:
    """`text` folded for matching, and for each folded character the offset in `text` of the
    character it comes from. Runs of whitespace fold to one space."""
    parts: list[str] = []
    origin: list[int] = []
    last_space = False
    for offset, char in enumerate(text):
        fold = _fold_char(char)
        if fold == " ":
            if last_space:
                continue
            last_space = True
        elif fold:
            last_space = False
        else:
            continue
        parts.append(fold)
        origin.extend([offset] * len(fold))
    return "".join(parts), origin


def name_key(name: str) -> str:
    """A registry name as the automaton holds it: folded, no space at either end."""
    return folded(name)[0].strip()


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


@dataclass(frozen=True)
class Registry:
    """A project's registry compiled for matching: the automaton maps a folded name to
    (length, actor id, score)."""

    fingerprint: str
    automaton: ahocorasick.Automaton | None


_compiled: dict[int, Registry] = {}
_lock = threading.Lock()


def registry_rows(project: Project) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The project's (actor id, canonical name) and (actor id, alias) rows: two queries."""
    actors = list(Actor.objects.filter(project=project).values_list("pk", "name").order_by("pk"))
    aliases = list(
        ActorAlias.objects.filter(actor__project=project)
        .values_list("actor_id", "name")
        .order_by("actor_id", "pk")
    )
    return actors, aliases


def registry_fingerprint(actors: list[tuple[int, str]], aliases: list[tuple[int, str]]) -> str:
    """A short hash of every name in the registry: it changes with any name or alias."""
    digest = hashlib.sha256()
    for pk, name in actors:
        digest.update(f"{pk}\x1f{name}\x1e".encode())
    digest.update(b"\x1d")
    for pk, name in aliases:
        digest.update(f"{pk}\x1f{name}\x1e".encode())
    return digest.hexdigest()[:8]


def compile_registry(
    actors: list[tuple[int, str]], aliases: list[tuple[int, str]], fingerprint: str
) -> Registry:
    """The automaton of the registry's names. Where two names fold alike, a canonical name wins
    over an alias, and between two of a kind the actor whose canonical name sorts first (as
    annotations.actors.actors_by_key decides), so the result does not depend on row order."""
    canonical = dict(actors)
    order = sorted(canonical, key=lambda pk: (canonical[pk], pk))
    rank = {pk: position for position, pk in enumerate(order)}
    found: dict[str, tuple[int, int, float]] = {}
    for pk in order:
        key = name_key(canonical[pk])
        if key:
            found.setdefault(key, (len(key), pk, CANONICAL_SCORE))
    for pk, alias in sorted(aliases, key=lambda row: (rank.get(row[0], 0), row[1])):
        key = name_key(alias)
        if key and pk in canonical:
            found.setdefault(key, (len(key), pk, ALIAS_SCORE))
    if not found:
        return Registry(fingerprint, None)
    automaton = ahocorasick.Automaton()
    for key, value in found.items():
        automaton.add_word(key, value)
    automaton.make_automaton()
    return Registry(fingerprint, automaton)


def registry_of(project: Project) -> Registry:
    """The project's compiled registry, rebuilt only when a name or alias changed."""
    actors, aliases = registry_rows(project)
    fingerprint = registry_fingerprint(actors, aliases)
    cached = _compiled.get(project.pk)
    if cached is not None and cached.fingerprint == fingerprint:
        return cached
    registry = compile_registry(actors, aliases, fingerprint)
    with _lock:
        _compiled[project.pk] = registry
    return registry


def mentions(
    registry: Registry, text: str, blocked: Sequence[tuple[int, int]] = ()
) -> list[tuple[int, int, int, float]]:
    """Every mention of a registry name in `text` as (start, end, actor id, score), in code
    points of `text`, in text order: on word boundaries, outside `blocked`, the longest (then
    the first) where mentions overlap."""
    if registry.automaton is None or not text:
        return []
    fold, origin = folded(text)
    size = len(fold)
    candidates: list[tuple[int, int, int, float]] = []
    for last, (length, actor_id, score) in registry.automaton.iter(fold):
        first = last - length + 1
        if first > 0 and (_is_word(fold[first - 1]) and _is_word(fold[first])):
            continue
        if last + 1 < size and (_is_word(fold[last + 1]) and _is_word(fold[last])):
            continue
        start = origin[first]
        if first > 0 and origin[first - 1] == start:
            continue  # begins inside a character that folded to several ("ß" -> "ss")
        if last + 1 < size and origin[last + 1] == origin[last]:
            continue  # ends inside one
        end = origin[last] + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1  # the marks a decomposed last letter carries belong to the mention
        candidates.append((start, end, actor_id, score))
    covered = bytearray(len(text))
    for start, end in blocked:
        covered[start:end] = b"\x01" * (end - start)
    found = []
    for start, end, actor_id, score in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
        if 1 not in covered[start:end]:
            covered[start:end] = b"\x01" * (end - start)
            found.append((start, end, actor_id, score))
    return sorted(found)


def suggestion_label(project: Project) -> Label | None:
    """The label the gazetteer's spans get: "actor", else the first entity label, else any."""
    labels = list(project.labels.all())
    for label in labels:
        if label.name == "actor":
            return label
    candidates = [label for label in labels if label.kind == Label.Kind.ENTITY] or labels
    return candidates[0] if candidates else None


class Gazetteer:
    """The registry gazetteer as a suggester; its version is the registry's fingerprint."""

    name = NAME

    def __init__(self, project: Project) -> None:
        self.project = project
        self.registry = registry_of(project)
        self.version = self.registry.fingerprint
        self.label = suggestion_label(project)

    def suggest(self, article: Article) -> list[Proposal]:
        if self.label is None:
            return []
        found = mentions(self.registry, article.body, article.regions_not_to_annotate())
        label_id = self.label.pk
        return span_proposals(
            self, ((start, end, label_id, actor_id, score) for start, end, actor_id, score in found)
        )
