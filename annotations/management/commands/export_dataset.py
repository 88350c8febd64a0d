"""Export a project's gold data (or its annotators' sets) in one format, with a progress bar."""

import os
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotations.exports import FORMATS, export
from annotations.exports.records import Selection, count_sets
from annotations.models import Project


class Command(BaseCommand):
    help = (
        "Export a project's approved gold sets (or, with --annotators, its annotators' sets) "
        "in one format. Formats with several files write PATH's stem plus each suffix."
    )

    def add_arguments(self, parser):
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

    def handle(self, *args, project, format, output, annotators, no_progress, **options):
        try:
            project = Project.objects.get(slug=project)
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
        module = FORMATS[format]
        path = Path(output)
        stem = str(path)
        for suffix in module.SUFFIXES:
            if stem.endswith(suffix):
                stem = stem.removesuffix(suffix)
                break
        if not path.parent.is_dir():
            raise CommandError(f"The directory {path.parent} does not exist.")
        total = count_sets(project, selection)
        with tqdm(
            total=total,
            unit="set",
            desc=f"{project.slug} {format}",
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
                        project=project,
                        format=format,
                        stem=Path(scratch) / final.name,
                        selection=selection,
                        progress=lambda articles: bar.update(min(articles, total - bar.n)),
                    )
                except (RuntimeError, OSError) as error:  # spaCy missing, disk full...
                    raise CommandError(f"The export failed: {error}") from None
                paths = []
                for path in written:
                    target = final.parent / path.name
                    os.replace(path, target)
                    paths.append(target)
            bar.update(total - bar.n)
        for written in paths:
            self.stdout.write(f"Wrote {written} ({written.stat().st_size} bytes)")
        if total == 0:
            self.stderr.write(
                self.style.WARNING("No annotation sets matched: the files hold no articles.")
            )
