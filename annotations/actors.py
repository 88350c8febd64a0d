"""How a name finds an actor in the registry: one rule for the importer, ``Actor.objects.named``
and the annotate page.

A name matches an actor when its ``actor_key`` equals the key of the actor's canonical name or
of one of its aliases. The key ignores case (Unicode case folding, so "STRASSE" matches
"Straße"), the composition of accented letters, and how much whitespace separates the words.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from annotations.models import Actor, Project


def actor_key(name: str) -> str:
    """The form of `name` that matching compares: NFC, case-folded, words separated by one
    space, no space at either end."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFD", name).casefold())
    return " ".join(folded.split())


def actors_by_key(project: Project) -> dict[str, Actor]:
    """The project's actors by the key of each canonical name and alias (two queries).

    Where keys meet, a canonical name wins over an alias; between two names (or two aliases)
    the actor whose canonical name sorts first wins, so the map does not depend on the
    database's collation.
    """
    actors = sorted(project.actors.prefetch_related("aliases"), key=lambda a: (a.name, a.pk))
    found: dict[str, Actor] = {}
    for actor in actors:
        found.setdefault(actor_key(actor.name), actor)
    for actor in actors:
        for alias in actor.aliases.all():
            found.setdefault(actor_key(alias.name), actor)
    return {key: actor for key, actor in found.items() if key}
