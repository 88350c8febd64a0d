"""The span editor offers what fits the span: no actor link on a label that cannot name an
actor, no "Link to X" once linked to X; the claim form pre-fills the claimant, takes targets
as type-ahead chips and explains the Admiralty grades."""

from playwright.sync_api import expect

from annotations import services
from annotations.models import Actor, Claim


def test_the_editor_and_claim_form_offer_what_fits_the_span(login, project, annotator, article):
    peskov = Actor.objects.create(project=project, name="Dmitry Peskov")
    Actor.objects.create(project=project, name="NATO")
    Actor.objects.create(project=project, name="United States")
    annotation_set = article.annotation_sets.create(annotator=annotator)
    labels = {label.name: label for label in project.labels.all()}
    body = article.body
    linked = services.span_create(
        annotation_set=annotation_set,
        start=21,
        end=34,
        quote="Dmitry Peskov",
        label=labels["actor"],
        actor=peskov,
        user=annotator,
    )
    end = body.index(".") + 1
    claim_span = services.span_create(
        annotation_set=annotation_set,
        start=0,
        end=end,
        quote=body[:end],
        label=labels["claim"],
        user=annotator,
    )
    page = login(annotator)
    url = f"{page.url}projects/{project.slug}/articles/{article.pk}/"
    # Linked to Peskov already: no "Link to Dmitry Peskov - matches the text" again.
    page.goto(f"{url}?span={linked.pk}")
    editor = page.locator("#editor")
    expect(editor).to_contain_text("linked to Dmitry Peskov")
    expect(editor.get_by_role("button", name="Link to Dmitry Peskov")).to_have_count(0)
    # A claim span cannot name an actor: no actor panel; the claim form is open, its claimant
    # pre-filled from the nearest span linked to an actor.
    page.goto(f"{url}?span={claim_span.pk}")
    expect(editor.get_by_role("group", name="Actor")).to_have_count(0)
    form = page.locator("#claim-form")
    expect(form.get_by_label("…or a span linked to the claimant")).to_have_value(str(linked.pk))
    expect(form.locator("#claimant-guess")).to_contain_text("Dmitry Peskov")
    # Targets by typing: Enter adds the first match, Backspace removes the last chip.
    targets = form.get_by_label("Add a target")
    targets.fill("nat")
    targets.press("Enter")
    targets.fill("united")
    targets.press("Enter")
    expect(form.locator(".chip")).to_have_count(2)
    targets.press("Backspace")
    expect(form.locator(".chip")).to_have_text(["NATO×"])
    form.get_by_text("What the Admiralty grades mean").click()
    expect(form.locator(".admiralty-help")).to_contain_text("B usually reliable")
    form.get_by_label("Claim type").select_option(label="warning")
    form.get_by_role("button", name="Create claim").click()
    page.locator("#claim-list .claim", has_text="warning").wait_for()
    claim = Claim.objects.get()
    assert claim.claimant == peskov
    assert claim.claimant_span == linked
    assert [target.name for target in claim.targets.all()] == ["NATO"]
    assert page.js_errors == []
    assert page.console_errors == []
