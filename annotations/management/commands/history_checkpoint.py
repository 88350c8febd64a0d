"""Write a signed checkpoint of each project's history head to storage (annotations.anchors)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations import anchors
from annotations.models import Project


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint of the head of each project's history (or of one, with "
        "--project SLUG) to history/checkpoints/ in the file storage; verify_history "
        "compares the chain with every checkpoint. Run it from cron, and after an upgrade."
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
            anchor = anchors.anchor_for(project, reason="history_checkpoint")
            name = anchors.checkpoint_save(anchor)
            if options["verbosity"] == 0:
                continue
            if name is None:
                self.stdout.write(f"project {project.slug}: no history yet, nothing to anchor")
            else:
                head = anchor["sequence"]
                self.stdout.write(f"project {project.slug}: checkpoint at #{head} ({name})")
