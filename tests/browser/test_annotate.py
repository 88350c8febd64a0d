"""An annotator's day in a real browser: select with the mouse, label, link, claim, assess,
submit; offsets stay exact after emoji, flags, CJK, combining marks and right-to-left text."""

import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import expect

from annotations import services
from annotations.models import Actor, AnnotationSet, Article, Claim, Span, ThreatAssessment
from tests.browser.annotating import add_targets, drag_select, range_select
from tests.factories import ArticleFactory

SEED_PASSWORD = "seed-password-for-browser-tests"
CLAIM = (
    "Russia would be forced to take extra measures to ensure its own security "
    "if the US sent troops to Ukraine"
)


@pytest.fixture
def seeded(transactional_db):
    with override_settings(SEED_PASSWORD=SEED_PASSWORD):
        call_command("seed", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from accounts.models import User

    return User.objects.get(username="annotator1")


def label_via_popup(page, label: str) -> None:
    popup = page.locator(".label-popup")
    popup.wait_for(state="visible")
    popup.locator(".label-choice", has_text=label).first.click()


def test_it_annotates_the_seed_article_from_login_to_submission(login, seeded):
    page = login(seeded, password=SEED_PASSWORD)
    page.on("dialog", lambda dialog: dialog.accept())  # "Submit for review? ..."
    page.get_by_role("link", name="Russia, NATO and Ukraine (demo)").click()
    page.get_by_role("link", name="Next article in my queue").click()
    page.locator("#article-body").wait_for()
    article = Article.objects.get(project__slug="russia-ukraine-demo")
    assert page.locator("#article-title").inner_text() == article.title

    # Highlight "Dmitry Peskov" with the mouse and label it from the popup.
    drag_select(page, "Dmitry Peskov")
    assert page.evaluate("window.getSelection().toString()") == "Dmitry Peskov"
    label_via_popup(page, "actor")
    editor = page.locator("#editor")
    editor.locator("blockquote", has_text="Dmitry Peskov").wait_for()

    # Link it to the registry: the actor named like the text is offered first.
    page.get_by_label("Find an actor by name or alias").fill("Peskov")
    page.locator("#actor-options").get_by_role("button", name="Link to Dmitry Peskov").click()
    editor.get_by_text("the Kremlin → Russia").wait_for()

    # Mark Peskov's warning with a drag (it wraps across lines) and the claim hotkey.
    drag_select(page, CLAIM)
    page.keyboard.press("c")
    editor.locator("blockquote", has_text=CLAIM).wait_for()
    claim_form = page.locator("#claim-form")
    claim_form.get_by_label("Claim type").select_option(label="warning")
    claim_form.get_by_label("…or a span linked to the claimant").select_option(index=1)
    add_targets(claim_form, "United States", "NATO")
    claim_form.get_by_label("Source reliability").select_option("B")
    claim_form.get_by_label("Information credibility").select_option("2")
    claim_form.get_by_role("button", name="Create claim").click()
    page.locator("#claim-list .claim", has_text="warning").wait_for()

    # Threat level: a radio group, chosen with the keyboard.
    threat = page.locator("#threat-form")
    threat.get_by_label("moderate").check()
    threat.get_by_label("moderate").press("ArrowDown")
    threat.get_by_label("Rationale").fill("Peskov threatens extra measures if troops arrive.")
    threat.locator("input[name=claims]").first.check()
    threat.get_by_role("button", name="Save threat assessment").click()
    page.locator("#threat-form input[name=level]:checked").wait_for()

    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("can no longer be changed").wait_for()

    annotation_set = AnnotationSet.objects.get(article=article, annotator=seeded)
    assert annotation_set.status == AnnotationSet.Status.SUBMITTED
    spans = {span.quote: span for span in Span.objects.filter(annotation_set=annotation_set)}
    assert set(spans) == {"Dmitry Peskov", CLAIM}
    for span in spans.values():
        assert article.body[span.start : span.end] == span.quote
    assert spans["Dmitry Peskov"].actor.name == "Dmitry Peskov"
    claim = Claim.objects.get(annotation_set=annotation_set)
    assert claim.span == spans[CLAIM]
    assert claim.claimant.name == "Dmitry Peskov"
    assert claim.claimant_span == spans["Dmitry Peskov"]
    assert {a.name for a in claim.targets.all()} == {"United States", "NATO"}
    assert claim.grading == "B2"
    assessment = ThreatAssessment.objects.get(annotation_set=annotation_set)
    assert assessment.level.name == "substantial"
    assert list(assessment.claims.all()) == [claim]
    assert page.js_errors == []
    assert page.console_errors == []


TRICKY_BODY = (
    "Zelensky 🇺🇦 said troops moved. Talks 👩‍👩‍👧 resumed in Geneva.\n"
    "北约峰会 opened in Vilnius; Q\u0307uiet words from देवनागरी speakers.\n"
    "قال المتحدث باسم الكرملين إن روسيا سترد. Then NATO answered."
)
# Each: what to select after the tricky text, and how (drag: a real mouse drag).
SELECTIONS = [
    ("said troops", "drag"),  # after a regional-indicator flag
    ("resumed in Geneva", "drag"),  # after a ZWJ family emoji
    ("opened in Vilnius", "drag"),  # after CJK
    ("speakers", "drag"),  # after a combining dot with no precomposed form and Devanagari
    ("Then NATO answered", "drag"),  # after right-to-left text
    ("北约峰会", "range"),  # CJK itself
    ("🇺🇦", "range"),  # the flag itself
    ("Q\u0307uiet", "range"),  # a base letter with its combining mark
    ("الكرملين", "range"),  # right-to-left text itself
]


def test_it_stores_exact_offsets_after_emoji_flags_cjk_combining_marks_and_rtl(
    login, project, annotator
):
    article = ArticleFactory(project=project, title="Tricky text", body=TRICKY_BODY)
    page = login(annotator)
    page.goto(f"{page.url}projects/{project.slug}/articles/{article.pk}/")
    body = page.locator("#article-body")
    for text, how in SELECTIONS:
        count = Span.objects.count()
        if how == "drag":
            drag_select(page, text)
        else:
            assert range_select(page, text) == text
        assert page.evaluate("window.getSelection().toString()") == text
        if how == "range":
            body.focus()  # the keyboard path: focus stays in the text, the hotkey labels it
        page.keyboard.press("l")  # the "location" hotkey
        page.locator("#editor blockquote", has_text=text).wait_for()
        assert Span.objects.count() == count + 1
        span = Span.objects.latest("pk")
        assert span.quote == text
        assert TRICKY_BODY[span.start : span.end] == text
    assert page.js_errors == []
    assert page.console_errors == []


def test_it_shows_a_refusal_on_the_page_when_the_set_was_submitted_meanwhile(
    login, project, annotator, annotation_set
):
    page = login(annotator)
    page.goto(f"{page.url}projects/{project.slug}/articles/{annotation_set.article_id}/")
    AnnotationSet.objects.filter(pk=annotation_set.pk).update(status=AnnotationSet.Status.SUBMITTED)
    drag_select(page, "Dmitry Peskov")
    label_via_popup(page, "actor")
    page.locator("#errors").get_by_text("can no longer be changed").wait_for()
    assert page.locator("#article-body").is_visible()
    assert page.locator("header nav").first.is_visible()
    assert Span.objects.count() == 0
    assert page.js_errors == []


def test_it_suggests_spans_from_aliases_and_accepts_them(login, project, annotator, article):
    russia = Actor.objects.create(project=project, name="NATO")
    page = login(annotator)
    page.goto(f"{page.url}projects/{project.slug}/articles/{article.pk}/")
    page.get_by_role("link", name="Suggestions", exact=True).click()
    page.on("dialog", lambda dialog: dialog.accept())  # "Accept all 1 suggestions as ...?"
    page.get_by_role("button", name="Accept all remaining").click()
    page.locator("#span-list", has_text="NATO").wait_for()
    span = Span.objects.get()
    assert (span.quote, span.actor) == ("NATO", russia)
    assert page.js_errors == []


@pytest.mark.parametrize("debug", [False, True], ids=["production", "make-run"])
def test_a_suggestion_gone_meanwhile_is_refused_in_place(
    login, project, annotator, article, settings, debug
):
    """Accepting a suggestion that another tab took meanwhile: the refusal (400) shows in the
    page, also in development mode (`make run`), where django-htmx's debug script would replace
    the whole page with the refusal's text."""
    settings.DEBUG = debug
    nato = Actor.objects.create(project=project, name="NATO")
    page = login(annotator)
    page.goto(f"{page.url}projects/{project.slug}/articles/{article.pk}/")
    page.get_by_role("link", name="Suggestions", exact=True).click()
    suggestion = page.locator("#suggestions .suggestion", has_text="NATO").first
    suggestion.wait_for()
    annotation_set = AnnotationSet.objects.get(article=article, annotator=annotator)
    start = article.body.index("NATO")
    services.span_create(  # the other tab
        annotation_set=annotation_set,
        start=start,
        end=start + 4,
        quote="NATO",
        label=project.labels.get(name="actor"),
        actor=nato,
    )
    suggestion.get_by_role("button", name="Accept").click()
    expect(page.locator("#errors")).to_contain_text(
        f"The suggestion at characters {start}–{start + 4} is not offered to this set"
    )
    assert page.locator("#article-body").is_visible()
    assert page.get_by_role("link", name="Suggestions", exact=True).is_visible()
    assert Span.objects.filter(annotation_set=annotation_set).count() == 1
    assert page.js_errors == []


def test_it_labels_a_span_with_the_keyboard_alone(login, seeded):
    page = login(seeded, password=SEED_PASSWORD)
    article = Article.objects.get(project__slug="russia-ukraine-demo")
    page.goto(f"{page.url}projects/{article.project.slug}/articles/{article.pk}/")
    body = page.locator("#article-body")
    body.wait_for()
    for _ in range(60):  # Tab through the page's links and controls to the text
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "article-body":
            break
    assert page.evaluate("document.activeElement.id") == "article-body"
    status = page.locator("#selection-status")
    expect(status).to_have_text("Cursor before “Russia”.")
    assert body.locator(".kb-caret").count() == 1  # the visible cursor

    for _ in range(200):  # word by word to "Dmitry"
        if status.inner_text() == "Cursor before “Dmitry”.":
            break
        page.keyboard.press("ArrowRight")
    expect(status).to_have_text("Cursor before “Dmitry”.")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")  # one word too far ("told")...
    page.keyboard.press("Shift+ArrowLeft")  # ...and back
    expect(status).to_have_text(re.compile(r"^Selected “Dmitry Peskov”\."))
    assert body.locator(".kb-caret").count() == 0
    assert page.evaluate("window.getSelection().toString()") == "Dmitry Peskov"
    page.keyboard.press("a")  # the "actor" hotkey

    page.locator("#editor blockquote", has_text="Dmitry Peskov").wait_for()
    span = Span.objects.get(annotation_set__article=article, annotation_set__annotator=seeded)
    assert span.quote == "Dmitry Peskov"
    assert article.body[span.start : span.end] == "Dmitry Peskov"
    assert span.label.name == "actor"
    assert page.js_errors == []
    assert page.console_errors == []
