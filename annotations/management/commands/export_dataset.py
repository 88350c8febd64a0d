"""Export a project's gold data (or its annotators' sets) in one format, with a progress bar."""

import os
import tempfile
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotations.exports import FORMATS, ExportFailed, ExportRefused, export
from annotations.exports.records import Selection, count_sets
from annotations.models import Project


class Command(BaseCommand):
    help = (
        "Export a project's approved gold sets (or, with --annotators, its annotators' sets) "
        "in one format. Formats with several files write PATH's stem plus each suffix."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument("--output", required=True, metavar="PATH")
        parser.add_argument(
            "--annotators",
            nargs="*",
            metavar="USERNAME",
            help="Export annotators' own sets instead of gold (all annotators if none named).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(
        self,
        *args: Any,
        project: str,
        format: str,
        output: str,
        annotators: list[str] | None,
        no_progress: bool,
        **options: Any,
    ) -> None:
        try:
            chosen = Project.objects.get(slug=project)
        except Project.DoesNotExist:
            raise CommandError(f"No project with the slug {project!r}.") from None
        try:
            selection = Selection.from_dict(
                {"sets": "annotators", "annotators": annotators}
                if annotators is not None
                else {"sets": "gold"}
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        path = Path(output)
        stem = str(path)
        for suffix in FORMATS[format].SUFFIXES:
            if stem.endswith(suffix):
                stem = stem.removesuffix(suffix)
                break
        if not path.parent.is_dir():
            raise CommandError(f"The directory {path.parent} does not exist.")
        total = count_sets(chosen, selection)
        with tqdm(
            total=total,
            unit="set",
            desc=f"{chosen.slug} {format}",
            disable=no_progress,
            file=self.stderr,
        ) as bar:
            # Progress comes per chunk of articles; an article has one gold set.
            # Write beside the destination and move into place, so a failed export leaves
            # no half-written file under the requested name.
            final = Path(stem)
            with tempfile.TemporaryDirectory(dir=final.parent, prefix=".export-") as scratch:
                try:
                    written = export(
                        project=chosen,
                        format=format,
                        stem=Path(scratch) / final.name,
                        selection=selection,
                        progress=lambda articles: bar.update(min(articles, total - bar.n)),
                    )
                except (ExportRefused, ExportFailed, OSError) as error:  # no spaCy, full disk
                    raise CommandError(f"The export failed: {error}") from None
                paths = []
                for scratch_path in written:
                    target = final.parent / scratch_path.name
                    os.replace(scratch_path, target)
                    paths.append(target)
            bar.update(total - bar.n)
        for target in paths:
            self.stdout.write(f"Wrote {target} ({target.stat().st_size} bytes)")
        if total == 0:
            self.stderr.write(
                self.style.WARNING("No annotation sets matched: the files hold no articles.")
            )
