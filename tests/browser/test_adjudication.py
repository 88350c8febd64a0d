"""A reviewer adjudicates the seed article in Chromium, with the keyboard only."""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from annotations import services
from annotations.exports.records import iter_records
from annotations.models import AnnotationSet, HistoryRecord, Project
from tests.browser.conftest import PASSWORD

# Where a run may leave screenshots of the page (`make screenshots`-style runs set it).
SCREENSHOTS = os.environ.get("ADJUDICATION_SCREENSHOTS")


@pytest.fixture
def seeded(transactional_db, settings, tmp_path, monkeypatch):
    """The demo project; both annotators have marked the seed article and handed it in. They
    agree on Peskov, disagree on what NATO is and on the threat level; only annotator1 marked
    the Kremlin, only annotator2 Zelensky (without his title)."""
    from annotations.management.commands import seed

    monkeypatch.setattr(seed, "CREDENTIALS_FILE", tmp_path / "demo-credentials.txt")
    settings.SEED_PASSWORD = PASSWORD
    call_command("seed", stdout=open("/dev/null", "w"))  # noqa: SIM115
    project = Project.objects.get(slug="russia-ukraine-demo")
    article = project.articles.get()
    users = get_user_model().objects
    marks = {
        "annotator1": [
            ("Dmitry Peskov", "actor", "Dmitry Peskov"),
            ("NATO", "actor", "NATO"),
            ("Kremlin", "actor", None),
        ],
        "annotator2": [
            ("Dmitry Peskov", "actor", "Dmitry Peskov"),
            ("NATO", "location", None),
            ("Volodymyr Zelensky", "actor", None),
        ],
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


def test_a_reviewer_adjudicates_with_the_keyboard_only_and_no_page_load(login, live_server, seeded):
    project, article = seeded
    page = login(get_user_model().objects.get(username="reviewer"))
    page.goto(f"{live_server.url}/projects/{project.slug}/review/articles/{article.pk}/")
    loads = []
    page.on("load", lambda: loads.append(page.url))
    detail = page.locator("#detail")
    status = page.locator("#adj-status")

    def press(*keys):
        """Press each key as a reviewer would, each after the page answered the last."""
        for key in keys:
            page.keyboard.press(key)
            expect(page.locator(".adjudicate[data-busy]")).to_have_count(0)

    def on_item(text):
        expect(detail.locator(".detail-inner[data-ready] h2")).to_contain_text(text)

    # Every key is listed on the page.
    keys = page.locator(".keys").inner_text()
    for key in ("j", "k", "1", "2", "x", "e", "u", "A"):
        assert key in keys
    on_item("NATO")  # the first undecided item in the text
    # The gold layer and both annotators' layers show the text; NATO is a disagreement.
    assert page.locator("#layer-set-1, [id^=layer-set-]").count() == 2
    assert page.locator("[id^=layer-set-] mark.st-disagree").filter(has_text="NATO").count() == 2

    press("A")  # accept all unanimous: Peskov
    expect(status).to_contain_text("Accepted 1 unanimous item(s).")
    assert page.locator("#layer-gold mark").filter(has_text="Dmitry Peskov").count() == 1
    if SCREENSHOTS:
        _screenshots(page, Path(SCREENSHOTS))

    press("1")  # take annotator1's NATO: it overrides annotator2, so a reason is asked
    assert page.locator("#reason-keys").is_visible()
    press("l")  # wrong label
    on_item("Kremlin")  # moved on to the next undecided item
    assert page.locator("#layer-gold mark").filter(has_text="NATO").count() == 1

    press("x", "o")  # reject the Kremlin (only annotator1 marked it): reason "other"
    on_item("Volodymyr Zelensky")

    page.keyboard.press("e")  # edit: widen Zelensky to his title, "President Volodymyr ..."
    start = article.body.index("Volodymyr Zelensky")
    assert page.locator("#edit input[name=start]").input_value() == str(start)
    for _ in range(2):
        page.keyboard.press("Tab")  # label, actor, then the start
    page.keyboard.press("Control+a")
    page.keyboard.type(str(start - len("President ")))
    for _ in range(2):
        page.keyboard.press("Tab")  # the end, then the reason
    page.keyboard.type("Boundary")
    page.keyboard.press("Tab")
    page.keyboard.type("Title belongs to the name")
    press("Enter")
    on_item("Threat level")

    press("2", "g")  # annotator2's moderate, reason "guideline"
    expect(detail.locator(".decided")).to_contain_text("annotator2's version")
    assert "moderate" in detail.locator(".version.chosen").inner_text()

    press("1", "g")  # change the decision: annotator1's substantial
    expect(detail.locator(".decided")).to_contain_text("annotator1")
    press("u")  # undo it: the threat level is undecided again
    expect(status).to_contain_text("Undone")
    assert detail.locator(".decided").count() == 0
    press("1", "g")
    expect(detail.locator(".decided")).to_contain_text("annotator1")
    assert "0 of" in page.locator("#adj-toolbar .counts").inner_text()
    assert "Decision saved." in status.inner_text()

    assert loads == []  # no page load between the first decision and the last
    assert page.js_errors == []
    assert page.console_errors == []

    page.get_by_role("button", name="Approve gold set").press("Enter")
    page.wait_for_selector("text=Adjudicated: the gold set is approved.")

    gold = AnnotationSet.objects.get(article=article, is_gold=True)
    assert gold.status == "approved"
    assert sorted((s.quote, s.label.name) for s in gold.spans.all()) == [
        ("Dmitry Peskov", "actor"),
        ("NATO", "actor"),
        ("President Volodymyr Zelensky", "actor"),
    ]
    assert gold.threat_assessment.level.name == "substantial"
    decisions = HistoryRecord.objects.filter(annotation_set_id=gold.pk, object_type="decision")
    threat_history = [
        (r.action, (r.after or r.before)["outcome"])
        for r in decisions.order_by("sequence")
        if (r.after or r.before)["key"] == "threat"
    ]
    assert [action for action, _ in threat_history] == ["create", "update", "delete", "create"]

    [record] = list(iter_records(project))
    assert record["threat_assessment"]["level"] == "substantial"
    overridden = sorted(
        (r["kind"], r["annotator"], r.get("label") or r.get("level"), r["reason_code"], r["note"])
        for r in record["rejected"]
    )
    assert overridden == [
        ("span", "annotator1", "actor", "other", ""),  # the Kremlin, rejected
        ("span", "annotator2", "actor", "boundary", "Title belongs to the name"),
        ("span", "annotator2", "location", "wrong_label", ""),  # NATO
        ("threat", "annotator2", "moderate", "guideline", ""),
    ]


def _screenshots(page, directory):
    """The page at the two widths the README shows, on the NATO item."""
    directory.mkdir(parents=True, exist_ok=True)
    for width, height in ((1440, 900), (800, 1000)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(200)
        page.screenshot(path=str(directory / f"adjudication-{width}.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})
