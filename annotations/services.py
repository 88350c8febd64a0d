"""Writes that touch several models. Views, the API and commands all call these."""

from __future__ import annotations

from django.db import transaction

from annotations.models import ClaimType, GuidelineVersion, Label, Project, ThreatLevel

DEFAULT_LABELS = [
    # name, kind, colour, hotkey
    ("actor", Label.Kind.ENTITY, "#64b5f6", "a"),
    ("location", Label.Kind.ENTITY, "#81c784", "l"),
    ("claim", Label.Kind.CLAIM, "#ffb74d", "c"),
    ("military force", Label.Kind.ENTITY, "#e57373", "m"),
    ("event", Label.Kind.OTHER, "#ba68c8", "e"),
    ("weapon system", Label.Kind.ENTITY, "#a1887f", "w"),
    ("date", Label.Kind.OTHER, "#90a4ae", "d"),
]
DEFAULT_CLAIM_TYPES = [
    "warning",
    "accusation",
    "denial",
    "threat",
    "statement of support",
    "casualty report",
    "other",
]
DEFAULT_THREAT_SCALE = [
    ("low", "No sign of escalation."),
    ("moderate", "Rhetoric or posturing without concrete steps."),
    ("substantial", "Concrete steps that make escalation plausible."),
    ("severe", "Escalation is likely."),
    ("critical", "Escalation is under way or imminent."),
]


@transaction.atomic
def project_add_defaults(*, project: Project) -> None:
    """Give a project the default label set, claim types and threat scale it lacks."""
    for position, (name, kind, colour, hotkey) in enumerate(DEFAULT_LABELS):
        Label.objects.get_or_create(
            project=project,
            name=name,
            defaults={"kind": kind, "colour": colour, "hotkey": hotkey, "position": position},
        )
    for position, name in enumerate(DEFAULT_CLAIM_TYPES):
        ClaimType.objects.get_or_create(project=project, name=name, defaults={"position": position})
    if not project.threat_levels.exists():
        ThreatLevel.objects.bulk_create(
            ThreatLevel(project=project, rank=rank, name=name, description=description)
            for rank, (name, description) in enumerate(DEFAULT_THREAT_SCALE)
        )


@transaction.atomic
def guidelines_update(*, project: Project, text: str, user=None) -> GuidelineVersion:
    """Record a new version of the project's guidelines (unchanged text adds no version)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    current = project.current_guideline()
    if current is not None and current.text == text:
        return current
    number = (current.number + 1) if current else 1
    return GuidelineVersion.objects.create(
        project=project, number=number, text=text, created_by=user
    )
