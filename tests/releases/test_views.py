import pytest
from django.urls import reverse

from annotations.models import Release

MEMBERS = ["annotator", "reviewer", "manager"]
STRANGERS = ["outsider", "other_project_member"]


@pytest.fixture
def ready(gold_project, manager, build):
    return build(gold_project, manager, formats=["native", "bio"])


def _urls(release):
    slug, version = release.project.slug, release.version
    native = release.files.get(format="native", split="train")
    return {
        "list": reverse("annotations:release-list", args=[slug]),
        "detail": reverse("annotations:release-detail", args=[slug, version]),
        "compare": reverse("annotations:release-compare", args=[slug, version]),
        "download": reverse("annotations:release-download", args=[slug, version, native.pk]),
    }


@pytest.mark.parametrize("page", ["list", "detail", "compare", "download"])
@pytest.mark.parametrize("who", MEMBERS + STRANGERS + ["anonymous"])
def test_it_shows_release_pages_and_files_only_to_members(client, request, ready, page, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(_urls(ready)[page])
    if who == "anonymous":
        assert response.status_code == 302
    elif who in STRANGERS:
        assert response.status_code == 404
    else:
        assert response.status_code == 200


def test_it_downloads_the_file_whose_checksum_the_page_shows(client, annotator, ready, media):
    client.force_login(annotator)
    response = client.get(_urls(ready)["download"])
    content = b"".join(response.streaming_content)
    native = ready.files.get(format="native", split="train")
    assert content == (media / native.path).read_bytes()
    assert native.name in response["Content-Disposition"]
    assert native.sha256 in client.get(_urls(ready)["detail"]).content.decode()


def test_it_lets_only_managers_create_releases(
    client, gold_project, manager, reviewer, annotator, django_capture_on_commit_callbacks
):
    url = reverse("annotations:release-list", args=[gold_project.slug])
    form = {
        "name": "first",
        "formats": ["native", "w3c"],
        "train": "0.8",
        "dev": "0.1",
        "test": "0.1",
        "split_seed": "1",
    }
    for user in (reviewer, annotator):
        client.force_login(user)
        assert client.post(url, form).status_code == 403
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form)
    release = Release.objects.get()
    assert response.status_code == 302
    assert response["Location"] == release.get_absolute_url()
    assert release.status == Release.Status.READY
    assert release.formats == ["native", "w3c"]


def test_it_shows_why_a_definition_is_refused(client, gold_project, manager):
    client.force_login(manager)
    url = reverse("annotations:release-list", args=[gold_project.slug])
    form = {"formats": ["native"], "train": "0.8", "dev": "0.3", "test": "0.1", "split_seed": "0"}
    response = client.post(url, form)
    assert response.status_code == 400
    assert "must add up to 1" in response.content.decode()
    assert not Release.objects.exists()


def test_it_polls_a_building_release_with_htmx_until_it_is_finished(client, gold_project, manager):
    release = Release.objects.create(
        project=gold_project, version=1, formats=["native"], status="building", progress=40
    )
    client.force_login(manager)
    url = release.get_absolute_url()
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in fragment
    assert "<html" not in fragment and "40%" in fragment
    release.status = "failed"
    release.error = "OSError: no space left"
    release.save()
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment
    assert "no space left" in fragment


def test_it_compares_with_the_previous_release(client, gold_project, manager, build, ready):
    second = build(gold_project, manager, formats=["native"])
    client.force_login(manager)
    page = client.get(
        reverse("annotations:release-compare", args=[gold_project.slug, second.version])
    )
    assert f"v{ready.version} → v{second.version}" in page.content.decode()
