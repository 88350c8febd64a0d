"""Exchanging a project's actor registry as CSV or JSON: export, and import all or nothing.

Both formats hold the same fields per actor: ``name`` (canonical), ``kind`` (a value of
``Actor.Kind``: "state", "person"...), ``aliases``, ``affiliation`` (the canonical name of the
actor this one belongs to, in the file or already in the project), ``external_id`` (a Wikidata
QID or another identifier) and ``description``.

- CSV: a header row naming those columns (only ``name`` is required), one actor per row; the
  aliases cell holds one alias per line, as the registry page's form does. On export, a cell
  that a spreadsheet would run as a formula (starting with ``= + - @``, a tab or a carriage
  return) is neutralised with a leading apostrophe, which the import takes off again.
- JSON: an array of objects, one actor per line, ``aliases`` a list of strings.

An import reads and checks every line of the file on its own first, then (when every line is
readable) the whole file against the registry, and stores nothing unless all is right;
``RegistryRejected`` lists every problem found, each with the file, the line and the reason.

Merging into a registry that has actors already. A line is the same actor as a project's actor
when its external id equals that actor's (if both have one), else when its name matches that
actor's canonical name by ``annotations.actors.actor_key`` (case, accents' composition and
spacing aside). For such an actor the import only adds: the file's aliases join the actor's
(and the file's name too, when the match was by external id and the names differ), and a field
the project leaves empty (kind "other", no affiliation, no external id, no description) takes
the file's value. A line that gives a field a different value than the project's is a conflict,
reported on that line; the import never overwrites what the project says. Every name and alias
a line brings must not be another actor's name or alias, an affiliation must name an actor, and
affiliations may not form a cycle.

The registry is project settings, not annotation data: like edits on the registry page (the
``actor_save`` service), an import is not recorded in the history chain.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.db import IntegrityError, transaction

from annotations.actors import actor_key
from annotations.exports.jsonlines import json_bytes
from annotations.importing import ImportRejected, decode
from annotations.json_input import JsonRefused, parse_json
from annotations.models import Actor, ActorAlias, Project

FORMATS = ("csv", "json")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
FIELDS = ("name", "kind", "aliases", "affiliation", "external_id", "description")
NAME_MAX = Actor._meta.get_field("name").max_length or 200
ALIAS_MAX = ActorAlias._meta.get_field("name").max_length or 200
EXTERNAL_ID_MAX = Actor._meta.get_field("external_id").max_length or 100
DESCRIPTION_MAX = 10_000
MAX_PROBLEMS = 50  # listed in one rejection; the rest are counted
# What starts a formula in a spreadsheet (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Line breaks (any that str.splitlines() splits on) and other control characters: no name,
# alias, kind or external id holds one.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_KINDS = {value: value for value in Actor.Kind.values} | {
    str(label).casefold(): value for value, label in Actor.Kind.choices
}


# Exporting.


def neutralise(cell: str) -> str:
    """`cell` as a spreadsheet shows it and never runs it: an apostrophe before a formula's
    first character (and before an apostrophe that `restore` would take off)."""
    if cell.startswith(FORMULA_STARTS) or (cell[:1] == "'" and cell[1:2] in (*FORMULA_STARTS, "'")):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """The cell `neutralise` was given."""
    if cell[:1] == "'" and cell[1:2] in (*FORMULA_STARTS, "'"):
        return cell[1:]
    return cell


def registry_export(*, project: Project, format: str) -> bytes:
    """The project's registry as a file in `format` ("csv" or "json")."""
    entries = project.actors.registry_entries()
    if format == "json":
        lines = [json_bytes(entry) for entry in entries]
        return b"[\n" + b",\n".join(lines) + (b"\n]\n" if lines else b"]\n")
    if format != "csv":
        raise ValueError(f"Unknown registry format {format!r}; choose one of {FORMATS}.")
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for entry in entries:
        cells = {**entry, "aliases": "\n".join(entry["aliases"])}
        writer.writerow([neutralise(cells[name] or "") for name in FIELDS])
    return out.getvalue().encode()


def registry_filename(project: Project, format: str) -> str:
    return f"{project.slug}-actors.{format}"


# Importing: parsing and checking each line on its own.


class RegistryRejected(Exception):
    """A registry file that cannot be imported; nothing of it was stored. `problems` holds
    (line or None, reason) pairs, each reason a sentence."""

    def __init__(self, filename: str, problems: list[tuple[int | None, str]]):
        self.filename, self.problems = filename, problems
        shown = [f"{filename}, line {n}: {r}" if n else f"{filename}: {r}" for n, r in problems]
        if len(shown) > MAX_PROBLEMS:
            shown = [*shown[:MAX_PROBLEMS], f"... and {len(shown) - MAX_PROBLEMS} more problems."]
        self.messages = shown
        super().__init__("\n".join(shown))


@dataclass
class Entry:
    """One actor of a file, checked on its own (fields empty where the line says nothing)."""

    line: int
    name: str
    kind: str = ""
    aliases: list[str] = field(default_factory=list)
    affiliation: str = ""
    external_id: str = ""
    description: str = ""


class _Problems:
    def __init__(self) -> None:
        self.found: list[tuple[int | None, str]] = []

    def add(self, line: int | None, reason: str) -> None:
        self.found.append((line, reason))


def _one_line_text(value: str, what: str, limit: int) -> str:
    """`value` stripped, or ValueError naming `what`."""
    value = value.strip()
    bad = _CONTROL.search(value)
    if bad:
        raise ValueError(
            f"{what} {value[:40]!r} holds a line break or control character "
            f"(U+{ord(bad.group()):04X}); a {what} is one line of text."
        )
    if len(value) > limit:
        raise ValueError(
            f"{what} {value[:40]!r}... is {len(value)} characters long; the limit is {limit}."
        )
    return value


def _entry(line: int, raw: dict[str, Any], problems: _Problems) -> Entry | None:
    """The line's fields checked (strings, lengths, a known kind), or None with its problems
    added."""
    found_before = len(problems.found)
    strings: dict[str, str] = {}
    for name in ("name", "kind", "affiliation", "external_id", "description"):
        value = raw.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            problems.add(line, f"'{name}' must be a string, not {type(value).__name__}.")
            continue
        strings[name] = value
    aliases = raw.get("aliases") or []
    if isinstance(aliases, str):  # a CSV cell: one alias per line
        aliases = aliases.splitlines()
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        problems.add(line, "'aliases' must be a list of strings.")
        aliases = []
    if len(problems.found) > found_before:
        return None
    entry = Entry(line=line, name="")
    try:
        entry.name = _one_line_text(strings["name"], "name", NAME_MAX)
        if not entry.name:
            raise ValueError("the actor has no name; 'name' is required.")
        entry.affiliation = _one_line_text(strings["affiliation"], "affiliation", NAME_MAX)
        entry.external_id = _one_line_text(strings["external_id"], "external id", EXTERNAL_ID_MAX)
        kind = _one_line_text(strings["kind"], "kind", 100)
        if kind:
            if kind.casefold() not in _KINDS:
                raise ValueError(
                    f"unknown kind {kind!r}; the kinds are {', '.join(Actor.Kind.values)}."
                )
            entry.kind = _KINDS[kind.casefold()]
        description = strings["description"].strip()
        if len(description) > DESCRIPTION_MAX:
            raise ValueError(
                f"the description is {len(description)} characters long; "
                f"the limit is {DESCRIPTION_MAX}."
            )
        entry.description = description
        for alias in aliases:
            alias = _one_line_text(alias, "alias", ALIAS_MAX)
            if alias and alias != entry.name and alias not in entry.aliases:
                entry.aliases.append(alias)
    except ValueError as error:
        problems.add(line, str(error))
        return None
    return entry


def _parse_csv(text: str, problems: _Problems) -> list[Entry]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        problems.add(1, f"cannot read the header row: {error}.")
        return []
    columns = [name.strip().lower() for name in header]
    unknown = [name for name in columns if name not in FIELDS]
    if unknown or "name" not in columns or len(set(columns)) != len(columns):
        problems.add(
            1,
            f"the header row must name the columns {', '.join(FIELDS)} (only 'name' is "
            f"required), each once; found {', '.join(map(repr, header))}.",
        )
        return []
    entries = []
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.add(line, f"malformed CSV: {error}.")
            break
        if any(cell.strip() for cell in row):
            if len(row) != len(columns):
                problems.add(
                    line, f"the row has {len(row)} cells but the header has {len(columns)}."
                )
            else:
                cells = {name: restore(cell) for name, cell in zip(columns, row, strict=True)}
                entry = _entry(line, cells, problems)
                if entry is not None:
                    entries.append(entry)
        line = reader.line_num + 1
    return entries


def _parse_json(text: str, problems: _Problems) -> list[Entry]:
    try:
        value = parse_json(text)
    except JsonRefused as error:
        line = None
        try:
            json.loads(text)
        except json.JSONDecodeError as malformed:
            line = malformed.lineno
        except (ValueError, RecursionError):
            pass
        problems.add(line, f"the file is not JSON the workbench takes: {error.reason}")
        return []
    if not isinstance(value, list):
        problems.add(None, "the file must hold a JSON array of actors (objects).")
        return []
    lines = _element_lines(text, len(value))
    entries = []
    for position, item in enumerate(value):
        line = lines[position]
        if not isinstance(item, dict):
            problems.add(line, f"actor {position + 1} must be a JSON object.")
            continue
        unknown = sorted(set(item) - set(FIELDS))
        if unknown:
            problems.add(
                line,
                f"unknown field(s) {', '.join(map(repr, unknown))}; "
                f"an actor has {', '.join(FIELDS)}.",
            )
            continue
        entry = _entry(line, item, problems)
        if entry is not None:
            entries.append(entry)
    return entries


def _element_lines(text: str, count: int) -> list[int]:
    """The line on which each element of the file's array starts (the text parsed already)."""
    decoder = json.JSONDecoder()
    start = text.find("[")
    whitespace = re.compile(r"[\s,]*")
    lines, index, line, counted = [], start + 1, 1, 0
    for _ in range(count):
        index = whitespace.match(text, index).end()  # type: ignore[union-attr]
        line += text.count("\n", counted, index)
        counted = index
        lines.append(line)
        _, index = decoder.raw_decode(text, index)
    return lines


# Importing: checking the file against the registry, then storing.


@dataclass
class RegistryImportReport:
    filename: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0


@dataclass
class _Plan:
    """What one entry does: create an actor, or add to `actor`."""

    entry: Entry
    actor: Actor | None
    aliases: list[str]  # the aliases to add
    fills: dict[str, str] = field(default_factory=dict)  # the project's empty fields
    affiliation: _Plan | Actor | None = None
    created: Actor | None = None

    @property
    def label(self) -> str:
        return self.actor.name if self.actor else self.entry.name


def _conflict(entry: Entry, what: str, theirs: str, ours: str, actor: Actor) -> str:
    return (
        f"{what}: the file says {theirs!r} but the project's actor {actor.name!r} has "
        f"{ours!r}; change the file or the registry so they agree."
    )


def _match(entries: list[Entry], actors: list[Actor], problems: _Problems) -> list[_Plan]:
    """Each entry matched with the project's actor it describes (or none), duplicates in the
    file and conflicting fields reported."""
    by_name = {actor_key(a.name): a for a in actors}
    by_external = {a.external_id: a for a in actors if a.external_id}
    alias_of: dict[str, Actor] = {}
    for known in actors:
        for alias in known.aliases.all():
            alias_of.setdefault(actor_key(alias.name), known)
    seen_name: dict[str, int] = {}
    seen_external: dict[str, int] = {}
    seen_actor: dict[int, int] = {}
    plans = []
    for entry in entries:
        key, line = actor_key(entry.name), entry.line
        if key in seen_name:
            problems.add(line, f"{entry.name!r} is the same actor as line {seen_name[key]}.")
            continue
        seen_name[key] = line
        if entry.external_id and entry.external_id in seen_external:
            problems.add(
                line,
                f"the external id {entry.external_id!r} is already on line "
                f"{seen_external[entry.external_id]}.",
            )
            continue
        if entry.external_id:
            seen_external[entry.external_id] = line
        named, identified = by_name.get(key), by_external.get(entry.external_id)
        if named and identified and named != identified:
            problems.add(
                line,
                f"the name is the project's actor {named.name!r} but the external id "
                f"{entry.external_id!r} is {identified.name!r}'s.",
            )
            continue
        actor: Actor | None = identified or named
        if actor is None and key in alias_of:
            problems.add(
                line,
                f"{entry.name!r} is an alias of the project's actor {alias_of[key].name!r}; "
                "name that actor, or take the alias off it first.",
            )
            continue
        if actor is not None and actor.pk in seen_actor:
            problems.add(
                line, f"line {seen_actor[actor.pk]} describes the same actor, {actor.name!r}."
            )
            continue
        if actor is None:
            plans.append(_Plan(entry, None, list(entry.aliases)))
            continue
        seen_actor[actor.pk] = line
        plans.append(_merge(entry, actor, problems))
    return plans


def _merge(entry: Entry, actor: Actor, problems: _Problems) -> _Plan:
    have = {alias.name for alias in actor.aliases.all()}
    names = [
        *entry.aliases,
        *([entry.name] if actor_key(entry.name) != actor_key(actor.name) else []),
    ]
    plan = _Plan(
        entry, actor, [n for n in dict.fromkeys(names) if n not in have and n != actor.name]
    )
    if entry.kind and entry.kind != Actor.Kind.OTHER:
        if actor.kind == Actor.Kind.OTHER:
            plan.fills["kind"] = entry.kind
        elif actor.kind != entry.kind:
            problems.add(entry.line, _conflict(entry, "kind", entry.kind, actor.kind, actor))
    for name, what in (("external_id", "external id"), ("description", "description")):
        theirs, ours = getattr(entry, name), getattr(actor, name)
        if theirs and not ours:
            plan.fills[name] = theirs
        elif theirs and theirs != ours:
            problems.add(entry.line, _conflict(entry, what, theirs, ours, actor))
    return plan


def _check_names(plans: list[_Plan], actors: list[Actor], problems: _Problems) -> None:
    """Every name and alias an entry brings is no other actor's name or alias. Where two lines
    of the file bring the same one, the later line is reported."""
    owners: dict[str, list[tuple[object, str, int]]] = {}  # key -> (actor, where, order)

    def own(key: str, who: object, where: str, order: int) -> None:
        owners.setdefault(actor_key(key), []).append((who, where, order))

    for actor in actors:
        for name in [actor.name, *(a.name for a in actor.aliases.all())]:
            own(name, actor.pk, f"the project's actor {actor.name!r}", -1)
    brought: list[tuple[object, list[str]]] = []
    for order, plan in enumerate(plans):
        if plan.actor is None:
            who: object = ("new", order)
            names = [plan.entry.name, *plan.aliases]
            where = f"{plan.entry.name!r} on line {plan.entry.line}"
        else:
            who, names = plan.actor.pk, plan.aliases
            where = f"the project's actor {plan.actor.name!r}"
        for name in names:
            own(name, who, where, order)
        brought.append((who, names))
    for order, (plan, (me, names)) in enumerate(zip(plans, brought, strict=True)):
        for name in names:
            others = [w for who, w, o in owners[actor_key(name)] if who != me and o < order]
            if others:
                what = "the name" if plan.actor is None and name == plan.entry.name else "the alias"
                problems.add(
                    plan.entry.line,
                    f"{what} {name!r} is already a name or alias of {others[0]}; "
                    "a name or alias belongs to one actor.",
                )
                break


def _link_affiliations(plans: list[_Plan], actors: list[Actor], problems: _Problems) -> None:
    """Each entry's affiliation found among the file's and the project's actors (canonical
    names first, then aliases); unknown ones, conflicts and cycles reported."""
    target: dict[str, _Plan | Actor] = {}
    by_actor = {plan.actor.pk: plan for plan in plans if plan.actor}
    for actor in actors:
        target.setdefault(actor_key(actor.name), by_actor.get(actor.pk, actor))
    for plan in plans:
        target.setdefault(actor_key(plan.entry.name), plan)
    for actor in actors:
        for alias in actor.aliases.all():
            target.setdefault(actor_key(alias.name), by_actor.get(actor.pk, actor))
    for plan in plans:
        for name in plan.aliases:
            target.setdefault(actor_key(name), plan)
    for plan in plans:
        entry = plan.entry
        if not entry.affiliation:
            continue
        found = target.get(actor_key(entry.affiliation))
        if found is None:
            problems.add(
                entry.line,
                f"the affiliation {entry.affiliation!r} names no actor in the file or the project.",
            )
            continue
        if found is plan:
            problems.add(entry.line, f"{entry.name!r} cannot be its own affiliation.")
            continue
        if plan.actor is not None and plan.actor.affiliation_id is not None:
            ours = plan.actor.affiliation
            same = found.actor if isinstance(found, _Plan) else found
            if same is None or same.pk != plan.actor.affiliation_id:
                problems.add(
                    entry.line,
                    _conflict(entry, "affiliation", entry.affiliation, str(ours), plan.actor),
                )
            continue
        plan.affiliation = found
    _check_cycles(plans, actors, problems)


def _check_cycles(plans: list[_Plan], actors: list[Actor], problems: _Problems) -> None:
    """No chain of affiliations, as they will be, leads back to where it started."""
    parents = {a.pk: a.affiliation_id for a in actors}
    names = {a.pk: a.name for a in actors}

    def node(item: _Plan | Actor) -> object:
        if isinstance(item, Actor):
            return item.pk
        return item.actor.pk if item.actor else ("new", id(item))

    graph: dict[object, object] = {pk: parent for pk, parent in parents.items() if parent}
    for plan in plans:
        names[node(plan)] = plan.label  # type: ignore[index]
        if plan.affiliation is not None:
            graph[node(plan)] = node(plan.affiliation)
    reported: set[object] = set()
    for plan in plans:
        start = node(plan)
        chain, current = [start], graph.get(start)
        while current is not None and current not in chain:
            chain.append(current)
            current = graph.get(current)
        if current == start and start not in reported:
            reported.update(chain)
            path = " → ".join(names[n] for n in [*chain, start])  # type: ignore[index]
            problems.add(plan.entry.line, f"the affiliations form a cycle: {path}.")


def _parse(filename: str, data: bytes, format: str | None) -> list[Entry]:
    format = format or PurePath(filename).suffix.lower().lstrip(".")
    if format not in FORMATS:
        raise RegistryRejected(
            filename, [(None, "cannot tell the format; name the file .csv or .json.")]
        )
    try:
        text = decode(filename, data)
    except ImportRejected as rejected:
        raise RegistryRejected(filename, [(rejected.line, rejected.reason)]) from None
    problems = _Problems()
    entries = (_parse_csv if format == "csv" else _parse_json)(text, problems)
    if problems.found:
        raise RegistryRejected(filename, problems.found)
    if not entries:
        raise RegistryRejected(filename, [(None, "the file holds no actors.")])
    return entries


def registry_import(
    *, project: Project, filename: str, data: bytes, format: str | None = None
) -> RegistryImportReport:
    """Import a registry file into `project` by the rules in this module's docstring, or raise
    RegistryRejected and store nothing. `format` ("csv" or "json") defaults to the file's
    suffix."""
    entries = _parse(filename, data, format)
    try:
        with transaction.atomic():
            # One import (or registry edit that locks) at a time per project: the checks below
            # hold until the writes are done.
            Project.objects.select_for_update(no_key=True).filter(pk=project.pk).first()
            actors = list(project.actors.select_related("affiliation").prefetch_related("aliases"))
            problems = _Problems()
            plans = _match(entries, actors, problems)
            _check_names(plans, actors, problems)
            _link_affiliations(plans, actors, problems)
            if problems.found:
                problems.found.sort(key=lambda found: found[0] or 0)
                raise RegistryRejected(filename, problems.found)
            return _store(project, filename, plans)
    except IntegrityError:
        raise RegistryRejected(
            filename,
            [(None, "the registry changed while the file was imported; import it again.")],
        ) from None


def _store(project: Project, filename: str, plans: list[_Plan]) -> RegistryImportReport:
    report = RegistryImportReport(filename)
    new = [plan for plan in plans if plan.actor is None]
    for plan in new:
        entry = plan.entry
        plan.created = Actor(
            project=project,
            name=entry.name,
            kind=entry.kind or Actor.Kind.OTHER,
            external_id=entry.external_id,
            description=entry.description,
        )
    Actor.objects.bulk_create([plan.created for plan in new if plan.created])
    changed: list[Actor] = []
    aliases: list[ActorAlias] = []
    for plan in plans:
        actor = plan.actor or plan.created
        assert actor is not None
        for name, value in plan.fills.items():
            setattr(actor, name, value)
        if isinstance(plan.affiliation, _Plan):
            actor.affiliation = plan.affiliation.actor or plan.affiliation.created
        elif plan.affiliation is not None:
            actor.affiliation = plan.affiliation
        aliases += [ActorAlias(actor=actor, name=alias) for alias in plan.aliases]
        if plan.actor is None:
            report.created.append(actor.name)
            if plan.affiliation is not None:
                changed.append(actor)
        elif plan.fills or plan.affiliation is not None or plan.aliases:
            report.updated.append(actor.name)
            changed.append(actor)
        else:
            report.unchanged += 1
    Actor.objects.bulk_update(
        changed, ["kind", "external_id", "description", "affiliation"], batch_size=500
    )
    ActorAlias.objects.bulk_create(aliases, batch_size=500)
    return report
