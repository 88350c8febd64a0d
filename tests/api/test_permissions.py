"""API permissions beyond the matrix of tests/test_url_permissions.py (which runs every endpoint
past every kind of caller): what lists show to whom, and what a refused request leaves unchanged."""

import pytest

from annotations.models import Claim, Release, ReleaseFile, ThreatAssessment
from tests.factories import ActorFactory, SpanFactory

NOT_AUTHENTICATED = ["anonymous", "bad_token", "revoked_token", "expired_token"]


@pytest.fixture
def world(project, article, annotation_set, annotator2, reviewer, manager, settings, tmp_path):
    """An annotator's set with a span, a claim and a threat assessment."""
    label = project.labels.get(name="actor")
    span = SpanFactory(annotation_set=annotation_set, start=0, end=7, label=label)
    claim = Claim.objects.create(
        annotation_set=annotation_set, span=span, claim_type=project.claim_types.first()
    )
    ThreatAssessment.objects.create(
        annotation_set=annotation_set, level=project.threat_levels.first()
    )
    actor = ActorFactory(project=project, name="Russia")
    settings.MEDIA_ROOT = str(tmp_path)
    release = Release.objects.create(
        project=project, version=1, formats=["native"], status="ready", created_by=manager
    )
    (tmp_path / "r.jsonl").write_bytes(b"{}\n")
    release_file = ReleaseFile.objects.create(
        release=release, format="native", split="train", path="r.jsonl", size=3, sha256="0" * 64
    )
    return {
        "slug": project.slug,
        "article": article.pk,
        "set": annotation_set.pk,
        "span": span.pk,
        "claim": claim.pk,
        "actor": actor.pk,
        "file": release_file.pk,
    }


P = "/api/v1/projects/{slug}/"
S = P + "annotation-sets/{set}/"


def _fill(value, ids):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


def test_it_deletes_a_span_only_for_its_annotator(world, client_as):
    url = _fill(S + "spans/{span}/", world)
    Claim.objects.all().delete()
    assert client_as("reviewer").delete(url).status_code == 403
    assert client_as("annotator2").delete(url).status_code == 404
    assert client_as("annotator").delete(url).status_code == 204
    assert client_as("annotator").get(url).status_code == 404


@pytest.mark.parametrize("who", NOT_AUTHENTICATED)
def test_it_refuses_project_list_without_valid_credentials(world, client_as, who):
    assert client_as(who).get("/api/v1/projects/").status_code == 401


def test_it_lists_only_the_callers_projects(world, client_as, other_project_member):
    assert client_as("outsider").get("/api/v1/projects/").json()["results"] == []
    slugs = [
        p["slug"]
        for p in client_as("other_project_member").get("/api/v1/projects/").json()["results"]
    ]
    assert slugs == ["other"]
    mine = client_as("manager").get("/api/v1/projects/").json()["results"]
    assert [(p["slug"], p["roles"]) for p in mine] == [("demo", ["manager"])]


def test_it_shows_annotators_only_their_own_sets(world, client_as, article, annotator2):
    from tests.factories import AnnotationSetFactory

    theirs = AnnotationSetFactory(article=article, annotator=annotator2)
    url = _fill(P + "annotation-sets/", world)
    assert [s["id"] for s in client_as("annotator").get(url).json()["results"]] == [world["set"]]
    assert [s["id"] for s in client_as("annotator2").get(url).json()["results"]] == [theirs.pk]
    assert len(client_as("reviewer").get(url).json()["results"]) == 2


def test_it_allows_annotators_to_add_actors_when_the_project_says_so(world, project, client_as):
    project.annotators_can_create_actors = True
    project.save()
    url = _fill(P + "actors/", world)
    response = client_as("annotator").post(url, {"name": "Kremlin", "aliases": ["Moscow"]})
    assert response.status_code == 201
    assert response.json()["aliases"] == ["Moscow"]


def test_it_answers_404_for_ids_too_long_for_the_database(world, client_as):
    url = f"/api/v1/projects/demo/annotation-sets/{'9' * 30}/"
    assert client_as("manager").get(url).status_code == 404
