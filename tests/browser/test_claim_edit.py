"""An annotator corrects a claim in the browser: the claims list swaps in place."""

from playwright.sync_api import expect

from annotations.models import Actor, Claim
from tests.browser.annotating import add_targets
from tests.factories import SpanFactory


def test_it_edits_a_claims_type_targets_grading_and_note(login, project, annotator, annotation_set):
    kremlin = Actor.objects.create(project=project, name="the Kremlin")
    Actor.objects.create(project=project, name="NATO")
    Actor.objects.create(project=project, name="United States")
    span = SpanFactory(
        annotation_set=annotation_set, start=0, end=58, label=project.labels.get(name="claim")
    )
    claim = Claim.objects.create(
        annotation_set=annotation_set,
        span=span,
        claim_type=project.claim_types.get(name="warning"),
        claimant=kremlin,
    )
    page = login(annotator)
    page.goto(f"{page.url}projects/{project.slug}/articles/{annotation_set.article_id}/")
    item = page.locator("#claim-list .claim").first
    item.get_by_text("Edit claim").click()
    form = item.locator("form.claim-edit-form")
    form.get_by_label("Claim type").select_option(label="threat")
    add_targets(form, "United States", "NATO")
    form.get_by_label("Source reliability").select_option("A")
    form.get_by_label("Information credibility").select_option("1")
    form.get_by_label("Note").fill("Read as a threat.")
    form.get_by_role("button", name="Save claim").click()
    # The list item's heading changes once the swapped workspace is in (its <select> options
    # name every type all along, so wait on the heading itself).
    expect(page.locator("#claim-list .claim > strong")).to_have_text("threat")
    claim.refresh_from_db()
    assert claim.claim_type.name == "threat"
    assert claim.claimant == kremlin
    assert {a.name for a in claim.targets.all()} == {"United States", "NATO"}
    assert (claim.grading, claim.note) == ("A1", "Read as a threat.")
    assert page.locator("#claim-list .claim .badge").inner_text() == "A1"
    assert page.js_errors == []
    assert page.console_errors == []
