"""A reviewer adjudicates the seed article in Chromium."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from annotations import services
from annotations.models import AnnotationSet, Project
from tests.browser.conftest import PASSWORD


@pytest.fixture
def seeded(transactional_db, settings, tmp_path, monkeypatch):
    """The demo project; both annotators have marked the seed article and handed it in, and
    disagree on what NATO is and on the threat level."""
    from annotations.management.commands import seed

    monkeypatch.setattr(seed, "CREDENTIALS_FILE", tmp_path / "demo-credentials.txt")
    settings.SEED_PASSWORD = PASSWORD
    call_command("seed", stdout=open("/dev/null", "w"))  # noqa: SIM115
    project = Project.objects.get(slug="russia-ukraine-demo")
    article = project.articles.get()
    users = get_user_model().objects
    marks = {
        "annotator1": [("Dmitry Peskov", "actor", "Dmitry Peskov"), ("NATO", "actor", "NATO")],
        "annotator2": [("Dmitry Peskov", "actor", "Dmitry Peskov"), ("NATO", "location", None)],
    }
    levels = {"annotator1": "substantial", "annotator2": "moderate"}
    for username, spans in marks.items():
        user = users.get(username=username)
        annotation_set = AnnotationSet.objects.get(article=article, annotator=user)
        for text, label, actor in spans:
            start = article.body.index(text)
            services.span_create(
                annotation_set=annotation_set,
                start=start,
                end=start + len(text),
                quote=text,
                label=project.labels.get(name=label),
                actor=project.actors.get(name=actor) if actor else None,
                user=user,
            )
        services.threat_assessment_set(
            annotation_set=annotation_set,
            level=project.threat_levels.get(name=levels[username]),
            user=user,
        )
        services.annotation_set_submit(annotation_set=annotation_set, user=user)
    return project, article


def test_it_lets_a_reviewer_adjudicate_the_seed_article(login, live_server, seeded):
    project, article = seeded
    page = login(get_user_model().objects.get(username="reviewer"))
    page.goto(f"{live_server.url}/projects/{project.slug}/review/")
    row = page.get_by_role("row").filter(has_text=article.title)
    assert "Ready for adjudication" in row.inner_text()
    row.get_by_role("link", name="Adjudicate").click()

    items = page.locator("li.item")
    assert "Disagreement" in items.first.inner_text()  # disagreements come first
    page.get_by_role("button", name="Accept all unanimous").click()
    assert "Accepted 1 unanimous item(s)." in page.get_by_role("status").first.inner_text()

    nato = page.locator("li.item-disagree").filter(has_text="NATO").first
    accept = nato.get_by_role("form", name="Accept the version marked by annotator1")
    accept.get_by_role("button", name="Accept").click()
    assert "give a reason code" in page.get_by_role("alert").inner_text()

    nato = page.locator("li.item-disagree").filter(has_text="NATO").first
    accept = nato.get_by_role("form", name="Accept the version marked by annotator1")
    accept.get_by_label("Reason").select_option(label="Wrong label")
    accept.get_by_role("button", name="Accept").click()
    nato = page.locator("li.item-disagree").filter(has_text="NATO").first
    assert "reason: Wrong label" in nato.inner_text()

    threat = page.locator("#item-threat")
    accept = threat.get_by_role("form", name="Accept the version marked by annotator1")
    accept.get_by_label("Reason").select_option(label="Guideline")
    accept.get_by_label("Note").fill("Troops massing <on> the border")
    accept.get_by_role("button", name="Accept").click()
    assert "Troops massing <on> the border" in page.locator("#item-threat").inner_text()

    page.get_by_role("button", name="Approve gold set").click()
    assert "Adjudicated: the gold set is approved." in page.content()

    gold = AnnotationSet.objects.get(article=article, is_gold=True)
    assert gold.status == "approved"
    assert sorted((s.quote, s.label.name) for s in gold.spans.all()) == [
        ("Dmitry Peskov", "actor"),
        ("NATO", "actor"),
    ]
    assert gold.threat_assessment.level.name == "substantial"
    assert page.js_errors == []
