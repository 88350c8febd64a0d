"""Every endpoint against every kind of caller: no endpoint reaches another project's data."""

import pytest

from annotations.models import Claim, Release, ReleaseFile, ThreatAssessment
from tests.factories import ActorFactory, SpanFactory

NOT_AUTHENTICATED = ["anonymous", "bad_token", "revoked_token", "expired_token"]
STRANGERS = ["outsider", "other_project_member"]
MEMBERS = ["annotator", "annotator2", "reviewer", "manager"]


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


def _import_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("new.txt", b"A fresh article about NATO.")}


P = "/api/v1/projects/{slug}/"
S = P + "annotation-sets/{set}/"
READ = {"annotator": 200, "annotator2": 200, "reviewer": 200, "manager": 200}
MANAGER_ONLY = {"annotator": 403, "annotator2": 403, "reviewer": 403, "manager": 201}
# The set belongs to `annotator`; another annotator may not even learn it exists.
OWN_SET_READ = {"annotator": 200, "annotator2": 404, "reviewer": 200, "manager": 200}


def _own_set_write(ok):
    return {"annotator": ok, "annotator2": 404, "reviewer": 403, "manager": 403}


CASES = [
    ("get", P, None, READ),
    ("get", P + "memberships/", None, READ),
    ("get", P + "labels/", None, READ),
    ("post", P + "labels/", {"name": "vessel"}, MANAGER_ONLY),
    ("get", P + "claim-types/", None, READ),
    ("get", P + "threat-levels/", None, READ),
    ("get", P + "actors/", None, READ),
    ("post", P + "actors/", {"name": "NATO", "kind": "international_organisation"}, MANAGER_ONLY),
    ("get", P + "actors/{actor}/", None, READ),
    ("get", P + "articles/", None, READ),
    ("get", P + "articles/{article}/", None, READ),
    ("post_multipart", P + "articles/import/", _import_file, MANAGER_ONLY),
    ("get", P + "annotation-sets/", None, READ),
    ("get", P + "gold-sets/", None, READ),
    ("get", S, None, OWN_SET_READ),
    ("post", S + "submit/", {}, _own_set_write(200)),
    ("get", S + "spans/", None, OWN_SET_READ),
    (
        "post",
        S + "spans/",
        {"start": 8, "end": 19, "quote": "spokesperson", "label": "actor"},
        _own_set_write(400),  # the quote is wrong on purpose: see test_validation
    ),
    ("get", S + "spans/{span}/", None, OWN_SET_READ),
    ("patch", S + "spans/{span}/", {"note": "checked"}, _own_set_write(200)),
    ("get", S + "claims/", None, OWN_SET_READ),
    ("post", S + "claims/", {"span": "{span}", "claim_type": "warning"}, _own_set_write(201)),
    ("get", S + "claims/{claim}/", None, OWN_SET_READ),
    ("patch", S + "claims/{claim}/", {"reliability": "B"}, _own_set_write(200)),
    ("delete", S + "claims/{claim}/", None, _own_set_write(204)),
    ("get", S + "threat-assessment/", None, OWN_SET_READ),
    ("put", S + "threat-assessment/", {"level": "severe"}, _own_set_write(200)),
    ("delete", S + "threat-assessment/", None, _own_set_write(204)),
    ("get", S + "comments/", None, OWN_SET_READ),
    (
        "post",
        S + "comments/",
        {"body": "Why this label?", "span": "{span}"},
        {"annotator": 201, "annotator2": 404, "reviewer": 201, "manager": 201},
    ),
    # The set is in progress, so a reviewer's transition is refused as a conflict.
    (
        "post",
        S + "approve/",
        {},
        {**OWN_SET_READ, "annotator": 403, "reviewer": 409, "manager": 403},
    ),
    (
        "post",
        S + "request-changes/",
        {"comment": "Mark the claimant."},
        {**OWN_SET_READ, "annotator": 403, "reviewer": 409, "manager": 403},
    ),
    ("post", P + "articles/{article}/assignments/", {"annotator": "alex"}, MANAGER_ONLY),
    (
        "post",
        P + "articles/{article}/adjudication/accept-unanimous/",
        {},
        # Not adjudicable yet: the annotator's set is still in progress.
        {"annotator": 403, "annotator2": 403, "reviewer": 409, "manager": 403},
    ),
    (
        "post",
        P + "articles/{article}/gold-set/approve/",
        {},
        {"annotator": 403, "annotator2": 403, "reviewer": 409, "manager": 403},
    ),
    (
        "get",
        P + "agreement/",
        None,
        {"annotator": 403, "annotator2": 403, "reviewer": 200, "manager": 200},
    ),
    ("get", P + "releases/", None, READ),
    ("post", P + "releases/", {"formats": ["native"]}, {**MANAGER_ONLY, "manager": 202}),
    ("get", P + "releases/1/", None, READ),
    ("get", P + "releases/1/files/{file}/", None, READ),
]


def _fill(value, ids):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


def _call(client, method, url, body):
    if method == "post_multipart":
        return client.post(url, body(), format="multipart")
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, body, format="json")


CASE_IDS = [f"{method} {url}" for method, url, _, _ in CASES]


@pytest.mark.parametrize(("method", "url", "body", "expected"), CASES, ids=CASE_IDS)
@pytest.mark.parametrize("who", NOT_AUTHENTICATED + STRANGERS + MEMBERS)
def test_it_allows_each_caller_only_what_their_role_allows(
    world, client_as, who, method, url, body, expected
):
    client = client_as(who)
    response = _call(client, method, _fill(url, world), _fill(body, world))
    if who in NOT_AUTHENTICATED:
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Token")
    elif who in STRANGERS:
        assert response.status_code == 404
    else:
        assert response.status_code == expected[who], response.content


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
