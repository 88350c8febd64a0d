"""Check every project's history chain; exit non-zero at the first broken link of any chain."""

from django.core.management.base import BaseCommand, CommandError

from annotations import history
from annotations.models import HistoryRecord, Project


class Command(BaseCommand):
    help = "Verify the hash chain of the history (all projects, or one with --project SLUG)."

    def add_arguments(self, parser):
        parser.add_argument("--project", help="The slug of one project to verify.")

    def handle(self, *args, **options):
        project_id = None
        if options["project"]:
            project = Project.objects.filter(slug=options["project"]).first()
            if project is None:
                raise CommandError(f"No project with the slug {options['project']!r}.")
            project_id = project.pk
        breaks = history.verify(project_id=project_id)
        if breaks:
            for found in breaks:
                self.stderr.write(f"Broken history chain: {found}")
            raise CommandError(f"The history of {len(breaks)} project(s) has been tampered with.")
        records = HistoryRecord.objects.all()
        if project_id is not None:
            records = records.filter(project_id=project_id)
        self.stdout.write(f"History intact: {records.count()} record(s) verified.")
