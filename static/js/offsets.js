// Browser offsets to server offsets: the one place where a selection in the page becomes
// Unicode code points into the stored text (end exclusive). Browsers measure text in UTF-16
// code units (an emoji or a flag letter counts 2); the server counts code points. The annotate
// and adjudicate pages both import from here.

export const WORD = /[\p{L}\p{N}\p{M}_]/u;

/** How many Unicode code points `text` holds. */
export function codePointLength(text) {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/**
 * The current selection inside `body` as {start, end, quote, rect} in code points, clamped to
 * the body; null if nothing in the body is selected. With `snapWords`, the ends move out to
 * whole words and in past white space.
 */
export function selectionIn(body, snapWords = false) {
  const selection = window.getSelection();
  if (!body || !selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0).cloneRange();
  if (!range.intersectsNode(body)) return null;
  const whole = document.createRange();
  whole.selectNodeContents(body);
  if (range.compareBoundaryPoints(Range.START_TO_START, whole) < 0) {
    range.setStart(whole.startContainer, whole.startOffset);
  }
  if (range.compareBoundaryPoints(Range.END_TO_END, whole) > 0) {
    range.setEnd(whole.endContainer, whole.endOffset);
  }
  if (range.collapsed) return null;
  const before = document.createRange();
  before.setStart(whole.startContainer, whole.startOffset);
  before.setEnd(range.startContainer, range.startOffset);
  let quote = range.toString();
  let start = codePointLength(before.toString());
  let end = start + codePointLength(quote);
  if (snapWords) {
    const chars = Array.from(body.textContent);
    while (start < end && /\s/u.test(chars[start])) start += 1;
    while (end > start && /\s/u.test(chars[end - 1])) end -= 1;
    while (start > 0 && WORD.test(chars[start - 1]) && WORD.test(chars[start])) start -= 1;
    while (end < chars.length && WORD.test(chars[end]) && WORD.test(chars[end - 1])) end += 1;
    if (start >= end) return null;
    quote = chars.slice(start, end).join("");
  }
  return { start, end, quote, rect: range.getBoundingClientRect() };
}

/** The DOM position (text node, offset) at UTF-16 index `index` of `container`'s text. */
export function domPoint(container, index) {
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  let seen = 0;
  let last = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (index <= seen + node.data.length) return [node, index - seen];
    seen += node.data.length;
    last = node;
  }
  return last ? [last, last.data.length] : [container, 0];
}
