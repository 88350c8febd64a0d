"""Helpers for browser tests that select text in the annotate page like a user does."""

# Finds the client rectangles of the first and last character of the nth occurrence of a
# string in the article body (offsets in UTF-16, as the DOM counts them).
_CHAR_RECTS = """
([needle, nth]) => {
  const body = document.getElementById("article-body");
  const text = body.textContent;
  let at = -1;
  for (let i = 0; i <= nth; i++) { at = text.indexOf(needle, at + 1); }
  if (at < 0) throw new Error(`${needle} is not in the article`);
  function point(offset) {
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    let seen = 0, node;
    while ((node = walker.nextNode())) {
      if (seen + node.data.length > offset) return [node, offset - seen];
      seen += node.data.length;
    }
    throw new Error("offset beyond the body");
  }
  function rect(offset, length) {
    const [node, inner] = point(offset);
    const range = document.createRange();
    range.setStart(node, inner);
    range.setEnd(node, inner + length);
    const r = range.getClientRects()[0];
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  }
  window.scrollBy(0, rect(at, 1).top - window.innerHeight / 3);
  const last = needle.length - (/[\\uDC00-\\uDFFF]/.test(needle.at(-1)) ? 2 : 1);
  return {first: rect(at, 1), last: rect(at + last, needle.length - last)};
}
"""

# Selects the nth occurrence of a string with a DOM Range (for right-to-left text, where a
# mouse drag's direction depends on the bidi layout).
_RANGE_SELECT = """
([needle, nth]) => {
  const body = document.getElementById("article-body");
  const text = body.textContent;
  let at = -1;
  for (let i = 0; i <= nth; i++) { at = text.indexOf(needle, at + 1); }
  function point(offset) {
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    let seen = 0, node, lastNode;
    while ((node = walker.nextNode())) {
      if (seen + node.data.length >= offset) return [node, offset - seen];
      seen += node.data.length;
    }
  }
  const range = document.createRange();
  range.setStart(...point(at));
  range.setEnd(...point(at + needle.length));
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return selection.toString();
}
"""


BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"


def wait_until_settled(page) -> None:
    """Wait until htmx has finished swapping, so the text no longer moves."""
    page.locator(BUSY).first.wait_for(state="detached")


def drag_select(page, text: str, nth: int = 0) -> None:
    """Select `text` in the article body with a real mouse drag."""
    wait_until_settled(page)
    rects = page.evaluate(_CHAR_RECTS, [text, nth])
    first, last = rects["first"], rects["last"]
    page.mouse.move(first["left"] + 1, (first["top"] + first["bottom"]) / 2)
    page.mouse.down()
    page.mouse.move(last["right"] - 1, (last["top"] + last["bottom"]) / 2, steps=8)
    page.mouse.up()


def range_select(page, text: str, nth: int = 0) -> str:
    """Select `text` in the article body with a DOM Range; returns what the browser selected."""
    wait_until_settled(page)
    return page.evaluate(_RANGE_SELECT, [text, nth])


def add_targets(form, *names: str) -> None:
    """Add claim targets through the type-ahead chip list, as a user types them."""
    box = form.get_by_label("Add a target")
    for name in names:
        box.fill(name[:5])
        form.locator(".chip-options").get_by_role("option", name=name, exact=True).click()
