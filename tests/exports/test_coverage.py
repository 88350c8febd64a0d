"""What each format keeps: one table (exports/coverage.py) behind the README and the warnings
in a release's dataset card."""

import re
from pathlib import Path

from annotations.exports import FORMATS
from annotations.exports.coverage import FEATURES, KEEPS
from annotations.models import Release
from annotations.releases import release_create
from tests.exports.conftest import add_span, gold_set
from tests.factories import ArticleFactory

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_format_says_what_it_keeps_and_the_readme_shows_the_same_table():
    assert set(KEEPS) == set(FORMATS)
    text = README.read_text()
    section = text[text.index("### What each format keeps") :]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    header = next(line for line in section.splitlines() if line.startswith("| format |"))
    assert [cell.strip() for cell in header.strip("|").split("|")][1:] == list(FEATURES)
    table = {}
    for row in rows[: len(KEEPS)]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        table[re.sub("`", "", cells[0])] = dict(zip(FEATURES, cells[1:], strict=True))
    assert table == KEEPS


def test_a_release_card_warns_of_what_each_chosen_format_drops(
    gold_project, manager, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with django_capture_on_commit_callbacks(execute=True):
        release = release_create(project=gold_project, user=manager, formats=["native", "bio"])
    release.refresh_from_db()
    assert release.status == Release.Status.READY, release.error
    [warning] = release.card["format_warnings"]
    assert warning["format"] == "bio"
    assert warning["drops"] == [
        "actors",
        "actor kinds and ids",
        "claims",
        "threat levels",
        "comments",
    ]
    assert set(warning["keeps_partly"]) == {"spans", "provenance"}
    assert "drop actors, actor kinds and ids, claims" in warning["message"]


def test_a_release_of_spans_only_warns_of_nothing_the_data_lacks(
    project, manager, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    add_span(gold_set(ArticleFactory(project=project, body="Units moved.")), "Units", "actor")
    with django_capture_on_commit_callbacks(execute=True):
        release = release_create(project=project, user=manager, formats=["doccano", "w3c"])
    release.refresh_from_db()
    assert release.card["format_warnings"] == []
