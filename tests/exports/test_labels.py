"""One rule turns labels into BIO tags and brat types, and never merges two labels silently."""

import json
import zipfile

import pytest

from annotations.exports import ExportRefused, export
from annotations.exports.labels import label_tag
from annotations.models import Release
from annotations.releases import release_create
from tests.exports.conftest import add_span, gold_set
from tests.factories import ArticleFactory, LabelFactory

TOKEN_FORMATS = [("bio", ".conll"), ("brat", ".zip")]


@pytest.mark.parametrize(
    ("label", "tag"),
    [("actor", "actor"), ("military force", "military_force"), (" armed\t group ", "armed_group")],
)
def test_a_label_becomes_a_tag_without_whitespace(label, tag):
    assert label_tag(label) == tag


def test_labels_that_differ_in_case_stay_two_tags_in_bio_and_brat(project, tmp_path):
    LabelFactory(project=project, name="Actor")
    article = ArticleFactory(project=project, body="Peskov met Lavrov.")
    gold = gold_set(article)
    add_span(gold, "Peskov", "actor")
    add_span(gold, "Lavrov", "Actor")
    bio = export(project=project, format="bio", stem=tmp_path / "bio")
    names = json.loads(next(p for p in bio if p.name.endswith(".labels.json")).read_text())
    assert {"B-actor", "B-Actor"} <= set(names)
    conll = next(p for p in bio if p.suffix == ".conll").read_text()
    assert "Peskov -X- _ B-actor" in conll and "Lavrov -X- _ B-Actor" in conll
    [brat] = export(project=project, format="brat", stem=tmp_path / "brat")
    with zipfile.ZipFile(brat) as archive:
        ann = next(archive.read(n).decode() for n in archive.namelist() if n.endswith(".ann"))
    assert "\tactor 0 6\tPeskov" in ann and "\tActor 11 17\tLavrov" in ann


@pytest.mark.parametrize(("format", "suffix"), TOKEN_FORMATS)
@pytest.mark.parametrize("twin", ["military  force", "military_force", " military force"])
def test_it_refuses_labels_that_would_share_a_tag_naming_both(
    project, tmp_path, format, suffix, twin
):
    LabelFactory(project=project, name=twin)
    article = ArticleFactory(project=project, body="Russian armoured units moved west.")
    add_span(gold_set(article), "Russian armoured units", "military force")
    with pytest.raises(ExportRefused) as refused:
        export(project=project, format=format, stem=tmp_path / "out")
    message = str(refused.value)
    assert "'military force'" in message and repr(twin) in message
    assert "'military_force'" in message


def test_a_release_with_labels_that_would_share_a_tag_fails_saying_why(
    project, manager, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    LabelFactory(project=project, name="military_force")
    add_span(gold_set(ArticleFactory(project=project, body="Units moved.")), "Units", "actor")
    with django_capture_on_commit_callbacks(execute=True):
        release = release_create(project=project, user=manager, formats=["native", "bio"])
    release.refresh_from_db()
    assert release.status == Release.Status.FAILED
    assert "'military force' and 'military_force'" in release.error
    assert not release.files.exists()
