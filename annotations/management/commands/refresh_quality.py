"""Recompute every article's agreement row, the scores against gold and each project's figures
(annotations.agreement, annotations.scoring): after an upgrade, or a change of a threat scale's
numeric values. Hand-ins keep them current on their own (annotations.tasks)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations import agreement, scoring
from annotations.models import Project


class Command(BaseCommand):
    help = (
        "Recompute the agreement figures and the scores against gold of every project (or of "
        "one, with --project SLUG)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", help="The slug of one project.")

    def handle(self, *args: Any, **options: Any) -> None:
        projects = Project.objects.order_by("slug")
        if options["project"]:
            projects = projects.filter(slug=options["project"])
            if not projects:
                raise CommandError(f"No project with the slug {options['project']!r}.")
        for project in projects:
            stored = agreement.refresh_all(project)
            ids = list(project.articles.values_list("pk", flat=True))
            for start in range(0, len(ids), 500):
                scoring.refresh_scores(ids[start : start + 500])
            self.stdout.write(
                f"{project.slug}: {stored.figures['articles']} article(s) with agreement figures"
            )
