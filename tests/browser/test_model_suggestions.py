"""Model suggestions on the seed article, from an external model's imported predictions and
from a span tagger trained in the app: the annotator sees each with its score and source,
accepts one and rejects another by key, and the accepted span's provenance is in the history
and the native export."""

import json
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from annotations.exports import export
from annotations.exports.records import Selection
from annotations.learning import spans, training
from annotations.learning.trained import SPAN_SUGGESTER
from annotations.models import (
    Article,
    HistoryRecord,
    Project,
    RejectedSuggestion,
    Span,
    TrainedModel,
)
from tests.browser.conftest import shoot
from tests.browser.test_annotate import SEED_PASSWORD, seeded  # noqa: F401 - the seed project
from tests.learning.conftest import add_gold, train

PROVENANCE = {"suggester": "spancat", "version": "v3", "score": 0.87}
SMALL_SPANS = spans.SpanSettings(
    epochs=8, batch_size=8, learn_rate=0.005, width=32, depth=1, embed_rows=500, hidden=32
)


@pytest.fixture
def predicted(seeded, tmp_path):  # noqa: F811
    """The model's output for the seed article, imported as the manager would from the shell."""
    article = Article.objects.get(project__slug="russia-ukraine-demo")
    body = article.body
    kiev, sea = body.index("Kiev"), body.index("North Sea")
    line = {
        "sha256": article.body_sha256,
        "spans": [
            {"start": kiev, "end": kiev + 4, "label": "location", "score": 0.87, "quote": "Kiev"},
            {"start": sea, "end": sea + 9, "label": "location", "score": 0.42},
        ],
    }
    path = tmp_path / "spancat.jsonl"
    path.write_text(json.dumps({"source": "spancat", "version": "v3"}) + "\n" + json.dumps(line))
    call_command("import_predictions", str(path), project=article.project.slug, stdout=None)
    return seeded, article


def test_an_annotator_accepts_and_rejects_imported_predictions_by_key(login, predicted, tmp_path):
    annotator, article = predicted
    page = login(annotator, password=SEED_PASSWORD)
    page.goto(f"{page.url}projects/{article.project.slug}/articles/{article.pk}/")
    page.locator("#article-body").wait_for()
    page.get_by_role("link", name="Suggestions", exact=True).click()
    # The registry names Kiev too (as Ukraine): the model's label is a suggestion of its own.
    kiev = page.locator("#suggestions .suggestion", has_text="0.87 · spancat v3")
    expect(kiev.locator("mark")).to_have_text("Kiev")
    expect(kiev).to_contain_text("→ location")
    expect(kiev.locator(".suggestion-source")).to_have_text("0.87 · spancat v3")
    sea = page.locator("#suggestions .suggestion", has_text="0.42 · spancat v3")
    expect(sea.locator("mark")).to_have_text("North Sea")
    # Pending in the text, with score and source in its title (both of Kiev's in one).
    pending = page.locator("#article-body .pending", has_text="Kiev")
    expect(pending).to_have_attribute("title", re.compile(r"location \(0\.87 · spancat v3\)"))
    expect(page.locator("#article-body .pending", has_text="North Sea")).to_have_attribute(
        "title", "Suggested: location (0.42 · spancat v3)"
    )

    kiev.focus()
    page.keyboard.press("Enter")  # accept
    expect(kiev).to_have_count(0)
    # The focus goes on to the next suggestion once the list is back (wait for it, or the
    # focus set below would be taken from under the key).
    expect(page.locator("#suggestions .suggestion:focus")).to_have_count(1)
    span = Span.objects.get(annotation_set__annotator=annotator, quote="Kiev")
    assert (span.label.name, span.provenance) == ("location", PROVENANCE)

    sea.focus()
    page.keyboard.press("n")  # reject
    expect(sea).to_have_count(0)
    rejected = RejectedSuggestion.objects.get(annotation_set=span.annotation_set)
    assert (rejected.label.name, rejected.actor, rejected.suggester) == (
        "location",
        None,
        "spancat",
    )
    # Asked again after a reload: neither comes back.
    page.reload()
    page.get_by_role("link", name="Suggestions", exact=True).click()
    expect(page.locator("#suggestions h2")).to_be_visible()
    expect(page.locator("#suggestions .suggestion-source", has_text="spancat")).to_have_count(0)

    record = HistoryRecord.objects.get(object_type="span", object_id=span.pk)
    assert record.after["provenance"] == PROVENANCE
    selection = Selection(sets="annotators")
    [path] = export(
        project=article.project, format="native", stem=tmp_path / "x", selection=selection
    )
    lines = [json.loads(text) for text in path.read_bytes().splitlines()]
    [line] = [line for line in lines if line["annotator"] == annotator.username]
    assert [(s["quote"], s.get("provenance")) for s in line["spans"]] == [("Kiev", PROVENANCE)]
    assert page.js_errors == []
    assert page.console_errors == []


def test_an_annotator_accepts_in_bulk_every_suggestion_above_a_score(login, predicted):
    annotator, article = predicted
    page = login(annotator, password=SEED_PASSWORD)
    page.goto(f"{page.url}projects/{article.project.slug}/articles/{article.pk}/")
    page.get_by_role("link", name="Suggestions", exact=True).click()
    sea = page.locator("#suggestions .suggestion", has_text="0.42 · spancat v3")
    expect(sea).to_have_count(1)
    offered = page.locator("#suggestions .suggestion").count()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_label("Accept all scoring at least").fill("0.5")
    page.locator("#accept-above").get_by_role("button", name="Accept").click()
    # Only the one scored 0.42 is left; the focus is on it, in hand for the next key.
    expect(page.locator("#suggestions .suggestion")).to_have_count(1)
    expect(sea).to_be_focused()
    assert dialogs == ["Accept every remaining suggestion scoring at least this much as a span?"]
    spans = Span.objects.filter(annotation_set__annotator=annotator)
    assert spans.count() == offered - 1
    assert spans.filter(quote="Kiev", provenance__score=0.87).exists()
    assert not spans.filter(quote="North Sea").exists()
    assert page.js_errors == []


def test_an_annotator_accepts_and_rejects_a_model_trained_in_the_app_by_key(
    login,
    seeded,  # noqa: F811
    monkeypatch,
    tmp_path,
):
    """The span tagger the workbench trains on the project's own gold (30 approved gold
    articles of the bench's news-like text, small settings) goes live and suggests on the
    seed article; its suggestions are accepted and rejected by key like any other."""
    monkeypatch.setattr(training, "CURVE", (1.0,))
    monkeypatch.setattr(training, "SPAN_SETTINGS", SMALL_SPANS)
    project = Project.objects.get(slug="russia-ukraine-demo")
    article = Article.objects.get(project=project)
    add_gold(project, 30)
    model = train(project, TrainedModel.Kind.SPANS)
    assert model.is_live, model.live_reason
    source = f"{SPAN_SUGGESTER} v{model.version}"

    page = login(seeded, password=SEED_PASSWORD)
    page.goto(f"{page.url}projects/{project.slug}/articles/{article.pk}/")
    page.locator("#article-body").wait_for()
    page.get_by_role("link", name="Suggestions", exact=True).click()
    # The model's own suggestions (not those it shares with the registry gazetteer).
    own = re.compile(rf"^\d\.\d\d · {source}$")
    suggestions = page.locator("#suggestions .suggestion").filter(
        has=page.locator(".suggestion-source", has_text=own)
    )
    expect(suggestions.first).to_be_visible()
    offered = suggestions.count()
    assert offered >= 2
    shoot(page, "annotate-model-suggestions")
    page.set_viewport_size({"width": 1400, "height": 1000})
    first, second = suggestions.nth(0), suggestions.nth(1)
    accepted_key = first.get_attribute("data-suggestion")
    rejected_key = second.get_attribute("data-suggestion")
    score = float(first.locator(".suggestion-source").inner_text().split(" · ")[0])

    first.focus()
    page.keyboard.press("Enter")  # accept
    expect(page.locator(f'[data-suggestion="{accepted_key}"]')).to_have_count(0)
    expect(page.locator("#suggestions .suggestion:focus")).to_have_count(1)
    span = Span.objects.get(annotation_set__annotator=seeded, annotation_set__article=article)
    assert (span.provenance["suggester"], span.provenance["version"]) == (
        SPAN_SUGGESTER,
        f"v{model.version}",
    )
    assert span.provenance["score"] == pytest.approx(score, abs=0.005)

    page.locator(f'#suggestions [data-suggestion="{rejected_key}"]').focus()
    page.keyboard.press("n")  # reject
    expect(page.locator(f'[data-suggestion="{rejected_key}"]')).to_have_count(0)
    rejected = RejectedSuggestion.objects.get(annotation_set=span.annotation_set)
    assert rejected.suggester == SPAN_SUGGESTER
    page.reload()
    page.get_by_role("link", name="Suggestions", exact=True).click()
    expect(page.locator("#suggestions h2")).to_be_visible()
    expect(suggestions).to_have_count(offered - 2)

    [path] = export(
        project=project,
        format="native",
        stem=tmp_path / "x",
        selection=Selection(sets="annotators"),
    )
    lines = [json.loads(text) for text in path.read_bytes().splitlines()]
    [line] = [line for line in lines if line["annotator"] == seeded.username]
    assert [s.get("provenance") for s in line["spans"]] == [span.provenance]
    assert page.js_errors == []
    assert page.console_errors == []
