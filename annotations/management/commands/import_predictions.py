"""Import a file of an external model's predictions into a project as a prediction source."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from annotations import services
from annotations.importing import ImportRejected
from annotations.learning.imported import read_predictions
from annotations.models import Project


class Command(BaseCommand):
    help = (
        "Import an external model's predictions (JSONL, see annotations.learning.imported) into "
        "a project as a source of suggestions of its own. Whole or not at all."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", metavar="PATH")
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--name", default="", help="Default: the file's first line.")
        parser.add_argument(
            "--source-version",
            default="",
            metavar="VERSION",
            help="Default: the file's first line.",
        )

    def handle(
        self,
        *args: Any,
        path: str,
        project: str,
        name: str,
        source_version: str,
        **options: Any,
    ) -> None:
        try:
            into = Project.objects.get(slug=project)
        except Project.DoesNotExist:
            raise CommandError(f"No project with the slug {project!r}.") from None
        try:
            with Path(path).open("rb") as stream:
                checked = read_predictions(
                    project=into, filename=path, data=stream, name=name, version=source_version
                )
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file ({error.strerror}).") from None
        except ImportRejected as rejected:
            raise CommandError(f"{rejected}; nothing of it was stored.") from None
        try:
            source = services.prediction_source_import(project=into, checked=checked)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Imported {len(checked.predictions)} predictions on {checked.articles} article(s) "
            f"from {source}."
        )
