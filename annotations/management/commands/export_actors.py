"""Export a project's actor registry as CSV or JSON."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from annotations.actor_registry import FORMATS, registry_export
from annotations.models import Project


class Command(BaseCommand):
    help = "Export a project's actor registry as CSV or JSON (import it with import_actors)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--output", required=True, metavar="PATH", help="'-': standard output.")
        parser.add_argument("--format", choices=FORMATS, help="Default: from PATH's suffix.")

    def handle(
        self, *args: Any, project: str, output: str, format: str | None, **options: Any
    ) -> None:
        try:
            chosen = Project.objects.get(slug=project)
        except Project.DoesNotExist:
            raise CommandError(f"No project with the slug {project!r}.") from None
        format = format or Path(output).suffix.lower().lstrip(".")
        if format not in FORMATS:
            raise CommandError("Name the output .csv or .json, or give --format csv or json.")
        data = registry_export(project=chosen, format=format)
        if output == "-":
            self.stdout.write(data.decode(), ending="")
            return
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"The directory {path.parent} does not exist.")
        # Write beside the destination and move into place: no half-written file.
        scratch = path.with_name(f".{path.name}.part")
        try:
            scratch.write_bytes(data)
            scratch.replace(path)
        except OSError as error:
            scratch.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
        count = chosen.actors.count()
        self.stdout.write(f"Wrote {count} actor(s) to {path} ({len(data)} bytes).")
