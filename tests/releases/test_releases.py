import hashlib

import orjson
import pytest
from django.core.exceptions import ValidationError

from annotations import storage
from annotations.exports import FORMATS
from annotations.exports.spacy_docbin import SpacyWriter
from annotations.exports.w3c import W3CWriter
from annotations.models import Release
from annotations.release_build import split_of
from annotations.releases import release_compare, release_create
from tests.exports.conftest import add_span, gold_set
from tests.factories import ArticleFactory

ALL_FORMATS = sorted(FORMATS)


def test_it_builds_every_format_for_every_split_with_checksums(gold_project, manager, build, media):
    release = build(
        gold_project, manager, formats=ALL_FORMATS, split_ratios={"train": 0.5, "test": 0.5}
    )
    assert release.status == Release.Status.READY, release.error
    assert release.progress == 100
    for file in release.files.all():
        data = (media / file.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == file.sha256
        assert len(data) == file.size
    splits = set(release.files.exclude(split="all").values_list("split", flat=True))
    assert splits == {"train", "test"}
    assert set(release.files.values_list("format", flat=True)) == {*ALL_FORMATS, "card", "manifest"}
    card = release.card
    assert card["totals"]["annotation_sets"] == 3
    assert card["totals"]["spans"] == 12
    assert card["labels"]["actor"] == 6
    assert card["claim_types"] == {"warning": 1}
    assert card["threat_levels"] == {"moderate": 1}
    assert card["created_by"] == "maria"
    assert card["annotators"] == ["anna"]
    assert "agreement" in card


def test_it_splits_by_article_hash_and_seed_deterministically(gold_project, manager, build, media):
    release = build(gold_project, manager)
    manifest = (media / release.directory() / "manifest.jsonl").read_bytes().splitlines()
    for line in manifest:
        row = orjson.loads(line)
        sha = next(
            a.body_sha256
            for a in gold_project.articles.all()
            if a.body_sha256.startswith(row["id"])
        )
        assert row["split"] == split_of(sha, 0, release.split_ratios)
    shares = [
        split_of(f"{n:064x}", 7, {"train": 0.8, "dev": 0.1, "test": 0.1}) for n in range(5000)
    ]
    assert 0.77 < shares.count("train") / 5000 < 0.83
    assert split_of("ab" * 32, 1, {"train": 1.0}) == "train"


def test_it_builds_byte_identical_files_from_the_same_definition(gold_project, manager, build):
    first = build(gold_project, manager, formats=ALL_FORMATS, split_seed=3)
    second = build(gold_project, manager, formats=ALL_FORMATS, split_seed=3)

    def checksums(release):
        return {
            (f.format, f.split, f.name.split("-", 2)[-1]): f.sha256
            for f in release.files.exclude(format="card")
        }

    assert checksums(first) == checksums(second)
    assert second.version == first.version + 1


def test_it_leaves_no_files_and_says_why_when_a_build_fails(
    gold_project, manager, build, media, monkeypatch
):
    def broken(self, record):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(W3CWriter, "write", broken)
    release = build(gold_project, manager, formats=["native", "w3c"])
    assert release.status == Release.Status.FAILED
    assert "disk on fire" in release.error
    assert not release.files.exists()
    assert stored_files(media) == []


def stored_files(media):
    return [path for path in media.rglob("*") if path.is_file() and "releases" in path.parts]


def test_a_build_that_fails_while_storing_its_files_removes_those_it_stored(
    gold_project, manager, build, media, monkeypatch
):
    original = storage.save_file

    def no_room_for_the_card(name, path):
        if name.endswith("/card.json"):
            raise OSError("No space left on device")
        return original(name, path)

    monkeypatch.setattr(storage, "save_file", no_room_for_the_card)
    release = build(gold_project, manager, formats=["native", "bio"])
    assert release.status == Release.Status.FAILED
    assert "No space left on device" in release.error
    assert not release.files.exists()
    assert stored_files(media) == []


def test_it_compares_a_release_with_the_previous_one(gold_project, manager, build, article):
    first = build(gold_project, manager)
    fresh = ArticleFactory(project=gold_project, body="NATO met in Vilnius.")
    add_span(gold_set(fresh), "Vilnius", "location")
    gold = article.annotation_sets.get(is_gold=True)
    gold.spans.get(quote="Kremlin").delete()
    second = build(gold_project, manager)
    assert second.card["changes_since_previous"] == {
        "previous_version": first.version,
        "added": 1,
        "removed": 0,
        "changed": 1,
        "unchanged": 2,
    }
    comparison = release_compare(first, second)
    assert [key[0] for key in comparison["added"]] == [fresh.body_sha256[:16]]
    assert [key[0] for key in comparison["changed"]] == [article.body_sha256[:16]]
    assert ("location", 3, 4, 1) in comparison["labels"]


@pytest.mark.parametrize(
    ("definition", "field", "message"),
    [
        ({"formats": []}, "formats", "Choose at least one"),
        ({"formats": ["csv"]}, "formats", "Unknown format(s) ['csv']"),
        ({"split_ratios": {"train": 0.9, "test": 0.2}}, "split_ratios", "add up to 1"),
        ({"split_ratios": {"holdout": 1}}, "split_ratios", "Unknown split(s)"),
        ({"filter": {"sets": "mine"}}, "filter", "'sets' must be"),
        ({"split_seed": -1}, "split_seed", "whole number"),
    ],
)
def test_it_refuses_a_bad_definition_naming_the_field(
    gold_project, manager, definition, field, message
):
    definition = {"formats": ["native"]} | definition
    with pytest.raises(ValidationError) as caught:
        release_create(project=gold_project, user=manager, **definition)
    assert message in " ".join(caught.value.message_dict[field])
    assert not Release.objects.exists()


def test_it_refuses_a_format_this_server_cannot_write_saying_why(
    gold_project, manager, monkeypatch
):
    monkeypatch.setattr(SpacyWriter, "unavailable", "The spaCy format needs spaCy.")
    with pytest.raises(ValidationError) as caught:
        release_create(project=gold_project, user=manager, formats=["native", "spacy"])
    assert caught.value.message_dict["formats"] == ["The spaCy format needs spaCy."]
    assert not Release.objects.exists()


def test_it_fails_a_build_whose_worker_stopped_and_clears_what_it_left(
    gold_project, manager, media, client, settings
):
    import datetime

    from django.utils import timezone

    from annotations.models import Release

    release = Release.objects.create(
        project=gold_project,
        version=7,
        formats=["native"],
        status=Release.Status.BUILDING,
        progress=40,
        heartbeat_at=timezone.now() - datetime.timedelta(hours=1),
        created_by=manager,
    )
    fresh = Release.objects.create(
        project=gold_project,
        version=8,
        formats=["native"],
        status=Release.Status.BUILDING,
        heartbeat_at=timezone.now(),
        created_by=manager,
    )
    leftover = media / "releases" / gold_project.slug / "v7"  # what it stored before it stopped
    leftover.mkdir(parents=True)
    (leftover / "half.jsonl").write_text("{")
    client.force_login(manager)
    page = client.get(release.get_absolute_url())
    assert "The build stopped making progress at 40%" in page.text
    release.refresh_from_db()
    fresh.refresh_from_db()
    assert release.status == Release.Status.FAILED
    assert fresh.status == Release.Status.BUILDING
    assert not leftover.exists()


def test_a_build_that_fails_on_one_article_names_the_article_and_the_format(
    gold_project, manager, build, article, monkeypatch
):
    original = SpacyWriter.write

    def fails_on_the_first_article(self, record):
        if record["title"] == article.title:
            raise ValueError("cannot write this one")
        original(self, record)

    monkeypatch.setattr(SpacyWriter, "write", fails_on_the_first_article)
    release = build(gold_project, manager, formats=["native", "spacy"])
    assert release.status == Release.Status.FAILED
    assert f"spacy export failed on article {article.body_sha256[:16]}" in release.error
    assert repr(article.title) in release.error and "cannot write this one" in release.error
