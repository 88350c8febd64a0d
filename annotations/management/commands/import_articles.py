"""Import article files into a project: plain text, HTML, JSONL, CSV, native or doccano JSONL."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.models import User
from annotations.importing import FORMATS, ImportRejected, import_articles
from annotations.models import Project


class Command(BaseCommand):
    help = "Import articles from files. Each file is imported whole or not at all."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--format", choices=FORMATS, help="Default: from the file name.")
        parser.add_argument(
            "--annotator",
            metavar="USERNAME",
            help="Owner of the annotation sets that pre-annotated spans go into: an annotator "
            "of the project.",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Who imports, as the history records it; a reviewer of the project may import "
            "the gold sets of a native export.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(
        self,
        *args: Any,
        paths: list[str],
        project: str,
        format: str | None,
        annotator: str | None,
        user: str | None,
        no_progress: bool,
        **options: Any,
    ) -> None:
        try:
            into = Project.objects.get(slug=project)
        except Project.DoesNotExist:
            raise CommandError(f"No project with the slug {project!r}.") from None
        owner, importer = (self.user_named(name) for name in (annotator, user))
        imported = duplicates = spans = added_sets = gold_sets = 0
        rejected: list[str] = []
        for path in paths:
            try:
                data = Path(path).open("rb")  # noqa: SIM115 - closed below
            except OSError as error:
                rejected.append(f"{path}: cannot read the file ({error.strerror}).")
                continue
            with (
                data,
                tqdm(
                    desc=Path(path).name,
                    unit="B",
                    unit_scale=True,
                    disable=no_progress,
                    file=self.stderr,
                ) as bar,
            ):

                def progress(done: int, total: int, bar: tqdm = bar) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                try:
                    report = import_articles(
                        project=into,
                        filename=str(path),
                        data=data,
                        format=format,
                        annotator=owner,
                        user=importer,
                        progress=progress,
                    )
                except ImportRejected as error:
                    rejected.append(str(error))
                    continue
            imported += report.imported
            duplicates += len(report.duplicates)
            spans += report.span_count
            added_sets += report.added_sets
            gold_sets += report.gold_sets
            for duplicate in report.duplicates:
                self.stdout.write(
                    f"{path}, line {duplicate.line}: duplicate of an existing article, "
                    f"skipped: {duplicate.title!r}"
                )
        for message in rejected:
            self.stderr.write(self.style.ERROR(f"Rejected {message}"))
        added = f"added {added_sets} annotator's set(s) to articles already here; "
        gold = f"restored {gold_sets} gold set(s); "
        self.stdout.write(
            f"Imported {imported} article(s) with {spans} span(s); "
            f"{added if added_sets else ''}{gold if gold_sets else ''}"
            f"{duplicates} duplicate(s) skipped; {len(rejected)} file(s) rejected."
        )
        if rejected:
            raise CommandError(f"{len(rejected)} file(s) rejected; nothing of them was stored.")

    def user_named(self, username: str | None) -> User | None:
        if username is None:
            return None
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
