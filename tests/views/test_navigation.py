"""Every project page shows the links the visitor's roles open, and no others."""

import re

import pytest
from django.urls import reverse

from tests.factories import ActorFactory, MembershipFactory, UserFactory

EVERY_MEMBER = ["Articles", "Guidelines", "Scores", "Releases"]
BY_ROLE = {
    "annotator": ["Articles", "My queue", "Guidelines", "Scores", "Releases"],
    "reviewer": ["Articles", "Review", "Agreement", "Guidelines", "Scores", "Models", "Releases"],
    "manager": [
        "Articles",
        "Assignments",
        "Agreement",
        "Guidelines",
        "Scores",
        "Models",
        "Releases",
        "Upload articles",
        "Labels",
        "Claim types",
        "Threat scale",
        "Actors",
        "Options",
        "Quality control",
    ],
}
# The pages each role may open: (URL name, args built from the world).
PAGES = {
    "annotator": [
        ("article-list", lambda w: [w["slug"]]),
        ("annotate", lambda w: [w["slug"], w["article"].pk]),
        ("article-history", lambda w: [w["slug"], w["article"].pk]),
        ("set-review", lambda w: [w["slug"], w["set"].pk]),
        ("release-list", lambda w: [w["slug"]]),
        ("guidelines", lambda w: [w["slug"]]),
    ],
    "reviewer": [
        ("article-list", lambda w: [w["slug"]]),
        ("review-list", lambda w: [w["slug"]]),
        ("agreement", lambda w: [w["slug"]]),
        ("adjudicate", lambda w: [w["slug"], w["article"].pk]),
        ("article-history", lambda w: [w["slug"], w["article"].pk]),
        ("set-review", lambda w: [w["slug"], w["set"].pk]),
        ("release-list", lambda w: [w["slug"]]),
    ],
    "manager": [
        ("article-list", lambda w: [w["slug"]]),
        ("article-upload", lambda w: [w["slug"]]),
        ("vocabulary", lambda w: [w["slug"], "claim-types"]),
        ("guidelines", lambda w: [w["slug"]]),
        ("actor-list", lambda w: [w["slug"]]),
        ("project-options", lambda w: [w["slug"]]),
        ("actor-edit", lambda w: [w["slug"], w["actor"].pk]),
        ("assignments", lambda w: [w["slug"]]),
        ("agreement", lambda w: [w["slug"]]),
        ("article-history", lambda w: [w["slug"], w["article"].pk]),
        ("release-list", lambda w: [w["slug"]]),
    ],
}
LINK = re.compile(r"<a [^>]*>([^<]+)</a>")


def _region(html: str, start: str, end: str = "</nav>") -> str:
    at = html.index(start)
    return html[at : html.index(end, at)]


def _project_links(html: str) -> list[str]:
    links = LINK.findall(_region(html, '<nav class="project-nav"'))
    return links[1:]  # the first is the project's name


@pytest.fixture
def world(project, article, annotation_set):
    actor = ActorFactory(project=project)
    return {"slug": project.slug, "article": article, "set": annotation_set, "actor": actor}


@pytest.mark.parametrize(
    ("role", "page"),
    [(role, page) for role, pages in PAGES.items() for page in range(len(pages))],
)
def test_it_shows_each_role_its_links_on_every_project_page(
    client, world, manager, annotator, reviewer, role, page
):
    client.force_login({"manager": manager, "annotator": annotator, "reviewer": reviewer}[role])
    name, args = PAGES[role][page]
    response = client.get(reverse(f"annotations:{name}", args=args(world)))
    assert response.status_code == 200
    assert _project_links(response.text) == BY_ROLE[role]
    header = _region(response.text, '<header class="site-header">', "</header>")
    assert "API tokens" in LINK.findall(header)


def test_it_points_each_link_at_its_page(client, world, manager):
    client.force_login(manager)
    html = client.get(reverse("annotations:article-list", args=[world["slug"]])).text
    nav = _region(html, '<nav class="project-nav"')
    for name, args in [
        ("assignments", [world["slug"]]),
        ("agreement", [world["slug"]]),
        ("release-list", [world["slug"]]),
        ("vocabulary", [world["slug"], "threat-scale"]),
    ]:
        assert f'href="{reverse(f"annotations:{name}", args=args)}"' in nav
    assert f'href="{reverse("accounts:tokens")}"' in html


def test_it_marks_the_current_page(client, world, manager):
    client.force_login(manager)
    html = client.get(reverse("annotations:vocabulary", args=[world["slug"], "labels"])).text
    nav = _region(html, '<nav class="project-nav"')
    assert re.findall(r'aria-current="page">([^<]+)<', nav) == ["Labels"]


def test_it_shows_a_member_with_every_role_every_link(client, world, project):
    user = UserFactory(username="polly")
    for role in ("manager", "annotator", "reviewer"):
        MembershipFactory(user=user, project=project, role=role)
    client.force_login(user)
    html = client.get(reverse("annotations:article-list", args=[world["slug"]])).text
    assert set(_project_links(html)) == {link for links in BY_ROLE.values() for link in links}


def test_it_shows_no_project_links_outside_a_project(client, annotator, project):
    client.force_login(annotator)
    html = client.get(reverse("annotations:project-list")).text
    assert 'class="project-nav"' not in html
    assert "API tokens" in html
    client.logout()
    assert "API tokens" not in client.get(reverse("accounts:login")).text


def test_it_links_the_annotate_page_to_the_articles_history(client, world, annotator):
    client.force_login(annotator)
    html = client.get(reverse("annotations:annotate", args=[world["slug"], world["article"].pk]))
    links = _region(html.text, '<nav class="article-links"')
    history = reverse("annotations:article-history", args=[world["slug"], world["article"].pk])
    assert f'href="{history}"' in links
    assert "Adjudicate" not in links


def test_it_links_a_reviewer_on_the_annotate_page_to_adjudication(client, world, project):
    user = UserFactory(username="rory")
    MembershipFactory(user=user, project=project, role="annotator")
    MembershipFactory(user=user, project=project, role="reviewer")
    client.force_login(user)
    html = client.get(reverse("annotations:annotate", args=[world["slug"], world["article"].pk]))
    links = _region(html.text, '<nav class="article-links"')
    adjudicate = reverse("annotations:adjudicate", args=[world["slug"], world["article"].pk])
    assert f'href="{adjudicate}"' in links
    assert LINK.findall(links) == ["History of this article", "Adjudicate this article"]
