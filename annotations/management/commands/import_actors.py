"""Import an actor registry file (CSV or JSON) into a project, whole or not at all."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from annotations.actor_registry import FORMATS, RegistryRejected, registry_import
from annotations.models import Project


class Command(BaseCommand):
    help = (
        "Import an actor registry file (CSV or JSON, as export_actors writes) into a project. "
        "The file is imported whole or not at all; every problem is listed with its line."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", metavar="PATH")
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--format", choices=FORMATS, help="Default: from PATH's suffix.")

    def handle(
        self, *args: Any, path: str, project: str, format: str | None, **options: Any
    ) -> None:
        try:
            into = Project.objects.get(slug=project)
        except Project.DoesNotExist:
            raise CommandError(f"No project with the slug {project!r}.") from None
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file ({error.strerror}).") from None
        try:
            report = registry_import(project=into, filename=path, data=data, format=format)
        except RegistryRejected as rejected:
            for message in rejected.messages:
                self.stderr.write(self.style.ERROR(message))
            raise CommandError(f"{path} rejected; nothing of it was stored.") from None
        self.stdout.write(
            f"Imported {path}: {len(report.created)} new actor(s), {len(report.updated)} "
            f"updated, {report.unchanged} already as the file says."
        )
