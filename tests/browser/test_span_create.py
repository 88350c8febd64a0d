"""Adding a span swaps in only what changed (the editor, and out of band the text, the span
list and the suggestions); the page must end up as a fresh load of it shows it."""

from annotations import services
from annotations.models import Actor, Span
from tests.browser.annotating import drag_select, wait_until_settled

# The workspace as the user sees it, minus what differs between a swap and a fresh load
# without showing: CSRF tokens, the hidden span form's last values, where the (hidden) label
# popup last stood and what it quoted, the focus the script gave the editor, htmx's emptied
# class attributes and whitespace between tags.
_WORKSPACE = """
() => {
  const workspace = document.getElementById("workspace").cloneNode(true);
  for (const input of workspace.querySelectorAll("[name=csrfmiddlewaretoken], #span-form input")) {
    input.removeAttribute("value");
  }
  workspace.querySelector(".label-popup").removeAttribute("style");
  workspace.querySelector(".popup-quote").textContent = "";
  workspace.querySelector("#editor").removeAttribute("tabindex");
  for (const element of workspace.querySelectorAll('[class=""]')) {
    element.removeAttribute("class");
  }
  return {
    body: workspace.querySelector("#article-body").innerHTML,
    all: workspace.outerHTML.replace(/>\\s+</g, "><"),
  };
}
"""


def test_it_shows_a_new_span_as_a_fresh_load_of_the_page_would(
    login, project, annotator, annotation_set
):
    kremlin = Actor.objects.create(project=project, name="the Kremlin")
    services.span_create(
        annotation_set=annotation_set,
        start=0,
        end=7,
        quote="Kremlin",
        label=project.labels.get(name="actor"),
        actor=kremlin,
        user=annotator,
    )
    claim_span = services.span_create(
        annotation_set=annotation_set,
        start=0,
        end=58,
        quote=annotation_set.article.body[:58],
        label=project.labels.get(name="claim"),
        user=annotator,
    )
    services.claim_create(
        annotation_set=annotation_set,
        span=claim_span,
        claim_type=project.claim_types.first(),
        claimant=kremlin,
        user=annotator,
    )
    page = login(annotator)
    url = f"{page.url}projects/{project.slug}/articles/{annotation_set.article_id}/"
    page.goto(url)

    drag_select(page, "Dmitry Peskov")
    with page.expect_response(lambda r: r.request.method == "POST") as created:
        page.keyboard.press("a")  # the "actor" label's key
    assert created.value.headers.get("hx-retarget") == "#editor"  # the fragments, not it all
    page.locator("#editor blockquote", has_text="Dmitry Peskov").wait_for()
    wait_until_settled(page)
    swapped = page.evaluate(_WORKSPACE)

    span = Span.objects.get(quote="Dmitry Peskov")
    page.goto(f"{url}?span={span.pk}")
    page.locator("#editor blockquote").wait_for()
    fresh = page.evaluate(_WORKSPACE)
    assert swapped["body"] == fresh["body"]
    assert swapped["all"] == fresh["all"]
    assert page.js_errors == []
    assert page.console_errors == []
