"""Who reads which release: a gold release is for every member; a release of the annotators' own
sets (their in-progress work, notes and rationale) for managers and reviewers only, and an
annotator cannot even learn that one exists (404 on its pages and its API, absent from lists).
tests/test_url_permissions.py runs every release URL past every visitor; this module checks
the lists, the comparison's other release and the rule on releases built for real."""

import re

import pytest
from django.urls import reverse

from annotations.access import get_project_for_user, may_read_release, releases_visible_to
from tests.api.conftest import token_client

STAFF = ["manager", "reviewer"]
ANNOTATORS = ["annotator", "annotator2"]


@pytest.fixture
def releases(gold_project, manager, annotator2, build):
    """v1 of the gold sets and v2 of the annotators' sets, both built and ready."""
    gold = build(gold_project, manager, formats=["native"])
    annotators = build(gold_project, manager, formats=["native"], filter={"sets": "annotators"})
    assert gold.status == annotators.status == "ready"
    assert (gold.filter, annotators.filter) == ({"sets": "gold"}, {"sets": "annotators"})
    return gold, annotators


def _page_versions(client, slug: str) -> list[str]:
    page = client.get(reverse("annotations:release-list", args=[slug])).content.decode()
    return [v for v in ("v1", "v2") if f">{v}</a>" in page]


@pytest.mark.parametrize("who", STAFF + ANNOTATORS)
def test_it_lists_annotators_releases_only_to_managers_and_reviewers(
    client, request, releases, who
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    listed = token_client(user).get("/api/v1/projects/demo/releases/").json()["results"]
    expected = [1, 2] if who in STAFF else [1]
    assert [r["version"] for r in listed] == expected
    assert _page_versions(client, "demo") == [f"v{v}" for v in expected]


@pytest.mark.parametrize("who", STAFF + ANNOTATORS)
def test_it_serves_an_annotators_release_only_to_managers_and_reviewers(
    client, request, releases, who
):
    _, annotators = releases
    user = request.getfixturevalue(who)
    client.force_login(user)
    file = annotators.files.get(format="native", split="train")
    args = ["demo", annotators.version]
    urls = [
        reverse("annotations:release-detail", args=args),
        reverse("annotations:release-compare", args=args),
        reverse("annotations:release-download", args=[*args, file.pk]),
    ]
    api = token_client(user)
    api_urls = [
        "/api/v1/projects/demo/releases/2/",
        f"/api/v1/projects/demo/releases/2/files/{file.pk}/",
    ]
    expected = 200 if who in STAFF else 404
    assert [client.get(url).status_code for url in urls] == [expected] * 3
    assert [api.get(url).status_code for url in api_urls] == [expected] * 2


def test_it_does_not_compare_with_a_release_the_annotator_may_not_read(client, annotator, releases):
    gold, annotators = releases
    client.force_login(annotator)
    url = reverse("annotations:release-compare", args=["demo", gold.version])
    assert client.get(url, {"with": annotators.version}).status_code == 404
    page = client.get(url).content.decode()
    # What the page says, not its markup (a CSRF token may hold the letters "v2").
    text = re.sub(r"<[^>]*>", " ", page)
    assert not re.search(rf"\bv{annotators.version}\b", text)


def test_the_rule_for_one_release_agrees_with_the_list(releases, manager, reviewer, annotator):
    for user in (manager, reviewer, annotator):
        access = get_project_for_user(user, "demo")
        visible = set(releases_visible_to(access))
        assert {r for r in releases if may_read_release(access, r)} == visible


def test_a_release_without_a_filter_holds_gold(releases, annotator):
    """Releases made before filters were written (or by hand) hold the gold sets."""
    gold, _ = releases
    gold.filter = {}
    gold.save()
    access = get_project_for_user(annotator, "demo")
    assert list(releases_visible_to(access)) == [gold]
    assert may_read_release(access, gold)


def test_no_release_of_another_project_is_readable(releases, other_project_member):
    gold, _ = releases
    access = get_project_for_user(other_project_member, "other")
    assert not may_read_release(access, gold)
