"""The project's vocabulary as the parsers look it up: each table read once per file, when a
parser first needs it (a plain-text import reads none of them)."""

from __future__ import annotations

from functools import cached_property

from annotations.actors import actor_key, actors_by_key
from annotations.models import Actor, ClaimType, Label, Membership, Project, Role, ThreatLevel


class Vocabulary:
    def __init__(self, project: Project):
        self.project = project

    @cached_property
    def labels(self) -> dict[str, Label]:
        """Labels by name."""
        return {label.name: label for label in self.project.labels.all()}

    def actor(self, name: str) -> Actor | None:
        """The actor `name` names, by the registry's one matching rule (annotations.actors)."""
        return self._actors_by_key.get(actor_key(name))

    @cached_property
    def _actors_by_key(self) -> dict[str, Actor]:
        return actors_by_key(self.project)

    @cached_property
    def _memberships(self) -> list[tuple[str, int, str]]:
        """(username, user id, role) of each of the project's memberships."""
        rows = Membership.objects.filter(project=self.project).values_list(
            "user__username", "user_id", "role"
        )
        return list(rows)

    @cached_property
    def members(self) -> dict[str, int]:
        """User ids of the project's members by username."""
        return {username: user_id for username, user_id, _ in self._memberships}

    @cached_property
    def annotators(self) -> frozenset[int]:
        """User ids of the project's annotators: the only users an annotation set may belong to."""
        return frozenset(pk for _, pk, role in self._memberships if role == Role.ANNOTATOR)

    @cached_property
    def reviewers(self) -> frozenset[int]:
        """User ids of the project's reviewers: the only users who adjudicate gold."""
        return frozenset(pk for _, pk, role in self._memberships if role == Role.REVIEWER)

    @cached_property
    def claim_types(self) -> dict[str, ClaimType]:
        """Claim types by name."""
        return {c.name: c for c in self.project.claim_types.all()}

    @cached_property
    def threat_levels(self) -> dict[str, ThreatLevel]:
        """Threat levels by name."""
        return {t.name: t for t in self.project.threat_levels.all()}
