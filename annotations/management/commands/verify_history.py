"""Check every project's history chain against its anchors, and that every span's set, label and
actor exist; exit non-zero if anything is broken."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations import anchors, history
from annotations.models import HistoryRecord, Project, Span


class Command(BaseCommand):
    help = (
        "Verify the signed hash chain of the history against its anchors (checkpoints and "
        "release cards) and print the first break of each project (all projects, or one "
        "with --project SLUG)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", help="The slug of one project to verify.")
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            type=Path,
            metavar="PATH",
            help="Also compare with the checkpoints or release cards kept at PATH (a file or a "
            "directory), e.g. a copy made elsewhere; may be given more than once.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        project_id = None
        if options["project"]:
            project = Project.objects.filter(slug=options["project"]).first()
            if project is None:
                raise CommandError(f"No project with the slug {options['project']!r}.")
            project_id = project.pk
        extra = []
        for path in options["anchor"]:
            try:
                extra += anchors.file_anchors(path)
            except ValueError as error:
                raise CommandError(f"--anchor: {error}") from error
        breaks = history.verify(project_id=project_id, extra_anchors=extra)
        if breaks:
            for found in breaks:
                self.stderr.write(f"Broken history chain: {found}")
            raise CommandError(f"The history of {len(breaks)} project(s) has been tampered with.")
        records = HistoryRecord.objects.all()
        if project_id is not None:
            records = records.filter(project_id=project_id)
        self.stdout.write(f"History intact: {records.count()} record(s) verified.")
        # Span's references are kept by its writers, not by the database (annotations.models).
        dangling = Span.objects.dangling()
        count = dangling.count()
        if count:
            shown = ", ".join(
                str(pk) for pk in dangling.order_by("pk").values_list("pk", flat=True)[:20]
            )
            raise CommandError(
                f"{count} span(s) refer to an annotation set, label or actor that no longer "
                f"exists (ids {shown}{', ...' if count > 20 else ''})."
            )
        self.stdout.write("Every span's annotation set, label and actor exist.")
