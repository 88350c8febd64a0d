// The workbench's one script: text selection to code-point offsets, the label popup, hotkeys,
// and small helpers for htmx (refusals shown on the page). No inline scripts anywhere, so the
// strict Content-Security-Policy stays on. Everything is delegated from `document`, because
// htmx swaps the annotate page's regions in and out.

import { domPoint, selectionIn, WORD } from "./offsets.js";

const BODY_ID = "article-body";

function articleBody() {
  const body = document.getElementById(BODY_ID);
  return body && body.dataset.editable === "true" ? body : null;
}

function isTyping(target) {
  return (
    target instanceof Element &&
    (target.closest("input, textarea, select, [contenteditable]") !== null)
  );
}

/** The current selection inside the article body (see offsets.js), or null. */
export function selectedSpan() {
  const snap = document.getElementById("snap-words");
  return selectionIn(articleBody(), Boolean(snap && snap.checked));
}

// The label popup

let pending = null;

function popup() {
  // No id: htmx copies the attributes of same-id elements across swaps, and a copied
  // style attribute would be an inline style the CSP blocks.
  return document.querySelector(".label-popup");
}

function openPopup(span) {
  const box = popup();
  if (!box) return;
  pending = span;
  const quote = box.querySelector(".popup-quote");
  quote.textContent = span.quote.length > 80 ? `${span.quote.slice(0, 79)}…` : span.quote;
  box.hidden = false;
  const top = span.rect.bottom + window.scrollY + 6;
  const left = Math.max(8, Math.min(span.rect.left + window.scrollX, window.innerWidth - 340));
  box.style.top = `${top}px`;
  box.style.left = `${left}px`;
}

function closePopup() {
  const box = popup();
  if (box) box.hidden = true;
  pending = null;
}

function labelSelection(labelId, span) {
  const form = document.getElementById("span-form");
  if (!form || !span) return;
  form.elements.start.value = span.start;
  form.elements.end.value = span.end;
  form.elements.quote.value = span.quote;
  form.elements.label.value = labelId;
  closePopup();
  window.getSelection()?.removeAllRanges();
  // In keyboard mode the cursor goes on from the end of what was just labelled.
  keyboard.anchor = keyboard.focus = Math.max(keyboard.anchor, keyboard.focus);
  // htmx wires the page up at DOMContentLoaded, after this module's handlers are in place: a
  // label chosen before it (a quick hand on a page still loading) must not submit the form
  // without htmx.
  window.htmx?.process(form);
  form.requestSubmit();
}

function labelForHotkey(key) {
  const box = popup();
  if (!box || key.length !== 1) return null;
  for (const button of box.querySelectorAll(".label-choice")) {
    if (button.dataset.hotkey && button.dataset.hotkey === key.toLowerCase()) {
      return button.dataset.label;
    }
  }
  return null;
}

function offerSelection() {
  const span = selectedSpan();
  if (span) openPopup(span);
  else closePopup();
}

document.addEventListener("mouseup", (event) => {
  if (popup()?.contains(event.target)) return;
  // Let the browser settle the selection first.
  window.setTimeout(offerSelection, 0);
});

document.addEventListener("keyup", (event) => {
  const body = articleBody();
  if (body && event.shiftKey && body.contains(event.target)) offerSelection();
});

// Keep the selection when a popup button is pressed.
document.addEventListener("mousedown", (event) => {
  if (popup()?.contains(event.target)) event.preventDefault();
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && pending) {
    closePopup();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
  if (event.target instanceof Element && event.target.closest("#suggestions")) return;
  const label = labelForHotkey(event.key);
  if (!label) return;
  const span = pending || selectedSpan();
  if (!span) return;
  event.preventDefault();
  labelSelection(label, span);
});

// Keyboard mode on the article text. With the text focused (Tab), Left/Right move a visible
// cursor to the previous/next word, Shift+Left/Right extend the selection by word, and with Alt
// (or Ctrl) also held by one character. The selection is an ordinary DOM selection, so labelling
// it (popup, hotkey) goes through selectedSpan() exactly as a mouse selection does. Positions
// here are UTF-16 indexes into the body's text, used only to place DOM boundaries.

const keyboard = { active: false, anchor: 0, focus: 0 };

function isWordAt(text, index) {
  const point = text.codePointAt(index);
  return point !== undefined && WORD.test(String.fromCodePoint(point));
}

function stepRight(text, index) {
  return Math.min(text.length, index + (text.codePointAt(index) > 0xffff ? 2 : 1));
}

function stepLeft(text, index) {
  const low = text.charCodeAt(index - 1);
  return Math.max(0, index - (index >= 2 && low >= 0xdc00 && low <= 0xdfff ? 2 : 1));
}

function isWordBefore(text, index) {
  return index > 0 && isWordAt(text, stepLeft(text, index));
}

function nextWordStart(text, index) {
  let at = index;
  while (at < text.length && isWordAt(text, at)) at = stepRight(text, at);
  while (at < text.length && !isWordAt(text, at)) at = stepRight(text, at);
  return at;
}

function nextWordEnd(text, index) {
  let at = index;
  while (at < text.length && !isWordAt(text, at)) at = stepRight(text, at);
  while (at < text.length && isWordAt(text, at)) at = stepRight(text, at);
  return at;
}

function previousWordEnd(text, index) {
  let at = index;
  while (at > 0 && isWordBefore(text, at)) at = stepLeft(text, at);
  while (at > 0 && !isWordBefore(text, at)) at = stepLeft(text, at);
  return at;
}

function previousWordStart(text, index) {
  let at = index;
  while (at > 0 && !isWordBefore(text, at)) at = stepLeft(text, at);
  while (at > 0 && isWordBefore(text, at)) at = stepLeft(text, at);
  return at;
}

/** The UTF-16 index in the body's text of a DOM position inside the body. */
function textIndex(body, node, offset) {
  const range = document.createRange();
  range.setStart(body, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

function removeCaret() {
  for (const caret of document.querySelectorAll(".kb-caret")) {
    const parent = caret.parentNode;
    caret.remove();
    parent?.normalize();
  }
}

function announce(message) {
  const status = document.getElementById("selection-status");
  if (status) status.textContent = message;
}

function quoted(text) {
  return text.length > 80 ? `“${text.slice(0, 79)}…”` : `“${text}”`;
}

function renderKeyboard(body) {
  removeCaret();
  const text = body.textContent;
  keyboard.anchor = Math.min(keyboard.anchor, text.length);
  keyboard.focus = Math.min(keyboard.focus, text.length);
  const selection = window.getSelection();
  if (keyboard.anchor === keyboard.focus) {
    selection.removeAllRanges();
    closePopup();
    const [node, offset] = domPoint(body, keyboard.focus);
    const range = document.createRange();
    range.setStart(node, offset);
    const caret = document.createElement("span");
    caret.className = "kb-caret";
    caret.setAttribute("aria-hidden", "true");
    range.insertNode(caret);
    caret.scrollIntoView({ block: "nearest" });
    const word = text.slice(keyboard.focus, nextWordEnd(text, keyboard.focus)).trim();
    announce(word ? `Cursor before ${quoted(word)}.` : "Cursor at the end of the text.");
    return;
  }
  const [anchorNode, anchorOffset] = domPoint(body, keyboard.anchor);
  const [focusNode, focusOffset] = domPoint(body, keyboard.focus);
  selection.setBaseAndExtent(anchorNode, anchorOffset, focusNode, focusOffset);
  const start = Math.min(keyboard.anchor, keyboard.focus);
  const end = Math.max(keyboard.anchor, keyboard.focus);
  announce(
    `Selected ${quoted(text.slice(start, end))}. Press a label's key, or Tab to the labels.`,
  );
  offerSelection();
}

/** Enter keyboard mode, starting from the selection in the body if there is one. */
function startKeyboard(body) {
  const selection = window.getSelection();
  if (selection && selection.rangeCount > 0 && !selection.isCollapsed) {
    const range = selection.getRangeAt(0);
    if (body.contains(range.startContainer) && body.contains(range.endContainer)) {
      keyboard.anchor = textIndex(body, selection.anchorNode, selection.anchorOffset);
      keyboard.focus = textIndex(body, selection.focusNode, selection.focusOffset);
      keyboard.active = true;
      return;
    }
  }
  if (keyboard.anchor !== keyboard.focus) keyboard.anchor = keyboard.focus;
  keyboard.active = true;
}

document.addEventListener("keydown", (event) => {
  const body = articleBody();
  if (!body || event.target !== body || event.metaKey) return;
  if (event.key === "Escape" && keyboard.active && keyboard.anchor !== keyboard.focus) {
    keyboard.anchor = keyboard.focus;
    renderKeyboard(body);
    return;
  }
  if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
  event.preventDefault();
  if (!keyboard.active) startKeyboard(body);
  const text = body.textContent;
  const right = event.key === "ArrowRight";
  const byCharacter = event.altKey || event.ctrlKey;
  const { anchor, focus } = keyboard;
  let to;
  if (byCharacter) to = right ? stepRight(text, focus) : stepLeft(text, focus);
  else if (!event.shiftKey) to = right ? nextWordStart(text, focus) : previousWordStart(text, focus);
  else if (right && focus < anchor) to = Math.min(anchor, nextWordStart(text, focus)); // shrink
  else if (right) to = nextWordEnd(text, focus);
  else if (focus > anchor) to = Math.max(anchor, previousWordEnd(text, focus)); // shrink
  else to = previousWordStart(text, focus);
  keyboard.focus = to;
  if (!event.shiftKey) keyboard.anchor = to;
  renderKeyboard(body);
});

// htmx gives the focus back to the text after a swap that replaced it (adding a span does):
// that is not the user moving into the text, and must not start the cursor (and scroll the
// page) at the top of the text, which in a long article is far from where they were.
let swapping = false;
document.addEventListener("htmx:beforeSwap", () => {
  swapping = true;
});
for (const name of ["htmx:afterSwap", "htmx:afterRequest"]) {
  document.addEventListener(name, () => {
    swapping = false;
  });
}

document.addEventListener("focusin", (event) => {
  const body = articleBody();
  if (!body || event.target !== body || !body.matches(":focus-visible")) return;
  if (returning) return; // returnToText places the cursor itself
  if (swapping) {
    if (keyboard.active) renderKeyboard(body); // the cursor where it was
    return;
  }
  startKeyboard(body);
  renderKeyboard(body);
});

document.addEventListener("focusout", (event) => {
  if (event.target === articleBody()) removeCaret();
});

// A mouse selection starts afresh (the keyboard cursor's marker must not split it).
document.addEventListener("mousedown", (event) => {
  const body = articleBody();
  if (body && body.contains(event.target)) {
    removeCaret();
    keyboard.active = false;
  }
});

// Clicks: label choices, highlights (a menu of the spans where several lie), the span list.

function spanLink(id) {
  return document.querySelector(`#span-list .span-link[data-span-id="${id}"]`);
}

function spanMenu() {
  return document.querySelector(".span-menu");
}

function closeSpanMenu() {
  const menu = spanMenu();
  if (menu) menu.hidden = true;
}

/** Open span `id`'s editor, as its entry in the span list does, and show it in the list. */
function chooseSpan(id) {
  closeSpanMenu();
  const link = spanLink(id);
  if (!link) return;
  for (const current of document.querySelectorAll(".span-link.is-current")) {
    current.classList.remove("is-current");
  }
  link.classList.add("is-current");
  scrollListTo(link);
  link.click();
}

/** Scroll the span list (its own box, never the page) so that `link` is in it. */
function scrollListTo(link) {
  const list = document.getElementById("span-list");
  const item = link.closest("li");
  if (!list || !item || item.hidden) return;
  const top = item.offsetTop - list.offsetTop;
  if (top < list.scrollTop || top > list.scrollTop + list.clientHeight - item.offsetHeight) {
    list.scrollTop = top - list.clientHeight / 3;
  }
}

/** A menu of the spans under a click where several lie, innermost first. */
function offerSpans(highlight, ids) {
  let menu = spanMenu();
  if (!menu) {
    menu = document.createElement("div");
    menu.className = "span-menu";
    menu.setAttribute("role", "menu");
    menu.setAttribute("aria-label", "Spans here");
    document.body.append(menu);
  }
  menu.replaceChildren(
    ...ids.map((id) => {
      const link = spanLink(id);
      const group = link?.closest(".span-group")?.querySelector("h3");
      const label = group ? group.firstChild.nextSibling.textContent.trim() : "";
      const button = document.createElement("button");
      button.type = "button";
      button.setAttribute("role", "menuitem");
      button.dataset.spanId = id;
      button.textContent = `${label}: ${link ? link.textContent : id}`;
      return button;
    }),
  );
  const rect = highlight.getBoundingClientRect();
  menu.hidden = false;
  menu.style.top = `${rect.bottom + window.scrollY + 4}px`;
  menu.style.left = `${Math.max(8, Math.min(rect.left + window.scrollX, window.innerWidth - 370))}px`;
  menu.querySelector("button")?.focus({ preventScroll: true });
}

/** Bring span `id` into view in the text (the user asked for it from the list). */
function jumpToSpan(id) {
  const segments = document.querySelectorAll(`#${BODY_ID} .seg[data-spans~="${id}"]`);
  if (segments.length === 0) return;
  segments[0].scrollIntoView({ block: "center" });
  for (const segment of segments) segment.classList.add("is-jumped");
  window.setTimeout(() => {
    for (const segment of segments) segment.classList.remove("is-jumped");
  }, 1500);
}

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (!target) return;
  const choice = target.closest(".label-choice");
  if (choice) {
    labelSelection(choice.dataset.label, pending);
    return;
  }
  if (target.closest(".popup-close")) {
    closePopup();
    return;
  }
  if (target.closest(".popup-exclude")) {
    excludeSelection(pending);
    return;
  }
  const suggestionClose = target.closest(".close-suggestions");
  if (suggestionClose) {
    closeSuggestions();
    return;
  }
  const pendingMark = target.closest(`#${BODY_ID} .pending`);
  if (pendingMark && window.getSelection()?.isCollapsed) {
    suggestionItem(pendingMark.dataset.suggestion.split(" ")[0])?.focus();
    return;
  }
  const item = target.closest(".span-menu button");
  if (item) {
    chooseSpan(item.dataset.spanId);
    return;
  }
  if (!target.closest(".span-menu")) closeSpanMenu();
  const listed = target.closest("#span-list .span-link");
  if (listed && event.isTrusted) {
    jumpToSpan(listed.dataset.spanId);
    return;
  }
  const highlight = target.closest(`#${BODY_ID} .seg[data-spans]`);
  if (highlight && window.getSelection()?.isCollapsed) {
    const ids = highlight.dataset.spans.split(" ").reverse(); // innermost first
    if (ids.length === 1) chooseSpan(ids[0]);
    else offerSpans(highlight, ids);
  }
});

// A manager marks the selection as not to annotate (the server refuses spans there after).
function excludeSelection(span) {
  const form = document.getElementById("exclude-form");
  if (!form || !span) return;
  form.elements.start.value = span.start;
  form.elements.end.value = span.end;
  closePopup();
  window.getSelection()?.removeAllRanges();
  window.htmx?.process(form);
  form.requestSubmit();
}

// Suggestions: pending (dashed) in the text and listed in their panel. On a listed
// suggestion, Enter or y accepts it, Delete or n rejects it, the arrows move; the one in hand
// is outlined in the text. After each, the focus goes on to the next one. Where suggestions
// overlap, one dashed stretch holds them all (its data-suggestion lists their keys).

function suggestionItem(key) {
  return document.querySelector(`#suggestions .suggestion[data-suggestion="${key}"]`);
}

function pendingMarks(key) {
  return document.querySelectorAll(`#${BODY_ID} .pending[data-suggestion~="${key}"]`);
}

let suggestionIndex = null; // which suggestion was in hand when one was accepted or rejected

function closeSuggestions() {
  for (const mark of document.querySelectorAll(`#${BODY_ID} .pending`)) {
    mark.replaceWith(...mark.childNodes);
  }
  const panel = document.getElementById("suggestions");
  panel?.replaceChildren();
  returnToText();
}

document.addEventListener("focusin", (event) => {
  const item = event.target instanceof Element ? event.target.closest(".suggestion") : null;
  for (const mark of document.querySelectorAll(`#${BODY_ID} .pending.is-current`)) {
    mark.classList.remove("is-current");
  }
  if (!item) return;
  const marks = pendingMarks(item.dataset.suggestion);
  for (const mark of marks) mark.classList.add("is-current");
  marks[0]?.scrollIntoView({ block: "nearest" });
});

document.addEventListener("keydown", (event) => {
  const item = event.target instanceof Element ? event.target.closest(".suggestion") : null;
  if (!item || event.ctrlKey || event.metaKey || event.altKey) return;
  const onItem = event.target === item;
  let button = null;
  if ((event.key === "Enter" && onItem) || event.key === "y") {
    button = item.querySelector(".accept-suggestion");
  } else if (event.key === "Delete" || event.key === "n" || (event.key === "Backspace" && onItem)) {
    button = item.querySelector(".reject-suggestion");
  } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    const next = event.key === "ArrowDown" ? item.nextElementSibling : item.previousElementSibling;
    next?.focus();
    return;
  }
  if (!button) return;
  event.preventDefault();
  button.click();
});

document.addEventListener("htmx:beforeRequest", (event) => {
  const item = event.detail.elt?.closest?.(".suggestion");
  if (item) suggestionIndex = Array.from(item.parentElement.children).indexOf(item);
  else suggestionIndex = event.detail.elt?.closest?.("#suggestions") ? 0 : null; // a bulk accept
});

// The suggestion in hand after an accept or reject (or on opening them): focused, and scrolled
// into view within the list, which the swap has scrolled back to its top; the page itself moves
// only where the list is out of view (below the text on a narrow screen).
function focusSuggestionAt(index) {
  const items = document.querySelectorAll("#suggestions .suggestion");
  const item = items[Math.min(index, items.length - 1)];
  const button = document.querySelector("#suggestions button");
  if (item) {
    item.focus({ preventScroll: true });
    item.scrollIntoView({ block: "nearest" });
  } else if (button) button.focus({ preventScroll: true });
  else returnToText();
}

// The menu of spans: arrow keys move through it.
document.addEventListener("keydown", (event) => {
  const item = event.target instanceof Element ? event.target.closest(".span-menu button") : null;
  if (!item || (event.key !== "ArrowDown" && event.key !== "ArrowUp")) return;
  event.preventDefault();
  const next = event.key === "ArrowDown" ? item.nextElementSibling : item.previousElementSibling;
  next?.focus();
});

// The span list's filters: by text and by label, hiding groups left empty.

function filterSpanList() {
  const list = document.getElementById("span-list");
  if (!list) return;
  const text = (document.getElementById("span-filter-text")?.value || "").trim().toLowerCase();
  const label = document.getElementById("span-filter-label")?.value || "";
  for (const group of list.querySelectorAll(".span-group")) {
    const labelShown = !label || group.dataset.label === label;
    let shown = 0;
    for (const item of group.querySelectorAll("ol > li")) {
      item.hidden = !labelShown || (text !== "" && !item.textContent.toLowerCase().includes(text));
      if (!item.hidden) shown += 1;
    }
    group.hidden = shown === 0;
  }
}

document.addEventListener("input", (event) => {
  if (event.target instanceof Element && event.target.closest(".span-filter")) filterSpanList();
});

// A claim's span and claimant highlighted together while the claim is hovered or focused.

function linkedSegments(claim) {
  const ids = [claim.dataset.span, claim.dataset.claimantSpan].filter(Boolean);
  return ids.flatMap((id) => Array.from(document.querySelectorAll(`.seg[data-spans~="${id}"]`)));
}

function markClaim(event, on) {
  const claim = event.target instanceof Element ? event.target.closest(".claim") : null;
  if (!claim) return;
  claim.classList.toggle("is-linked", on);
  for (const segment of linkedSegments(claim)) segment.classList.toggle("is-linked", on);
}

document.addEventListener("mouseover", (event) => markClaim(event, true));
document.addEventListener("mouseout", (event) => markClaim(event, false));
document.addEventListener("focusin", (event) => markClaim(event, true));
document.addEventListener("focusout", (event) => markClaim(event, false));

// The span being edited is outlined in the text.

function markActiveSpan() {
  for (const segment of document.querySelectorAll(".seg.is-active")) {
    segment.classList.remove("is-active");
  }
  const id = document.getElementById("editor")?.dataset.activeSpan;
  if (!id) return;
  for (const segment of document.querySelectorAll(`.seg[data-spans~="${id}"]`)) {
    segment.classList.add("is-active");
  }
}

document.addEventListener("DOMContentLoaded", markActiveSpan);

// htmx: show refusals (400/409 come with a message retargeted to #errors), clear them after a
// success, and move focus to the span editor after a span was added or chosen.

document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status === 400 || status === 409 || status === 403 || status === 404) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
    if (status === 403 || status === 404) {
      const errors = document.getElementById("errors");
      if (errors) {
        errors.textContent =
          status === 403 ? "You may not do that here." : "That no longer exists.";
      }
      event.detail.shouldSwap = false;
    }
  }
});

document.addEventListener("htmx:afterRequest", (event) => {
  const errors = document.getElementById("errors");
  if (errors && event.detail.successful && event.detail.target !== errors) {
    errors.textContent = "";
  }
});

// Where the focus goes after a change: to the span editor after a span was added or chosen
// (to act on it), back to the text after anything done in the side panel (linking an actor,
// saving a note or a claim...), so the analyst goes on reading where they were.

/** Focus the text without moving the page, its keyboard cursor after the span being edited
 * (or where it was). */
function returnToText() {
  const body = articleBody();
  if (!body) return;
  closePopup();
  closeSpanMenu();
  if (!keyboard.active) {
    const id = document.getElementById("editor")?.dataset.activeSpan;
    const segments = id ? body.querySelectorAll(`.seg[data-spans~="${id}"]`) : [];
    const last = segments[segments.length - 1];
    if (last) {
      keyboard.anchor = keyboard.focus = textIndex(body, last, last.childNodes.length);
      keyboard.active = true;
    }
  }
  returning = true;
  body.focus({ preventScroll: true });
  returning = false;
  // With no cursor yet (nothing chosen), none is drawn: drawing one at the top of the text
  // would scroll the page there.
  if (keyboard.active) renderKeyboard(body);
}

let returning = false;

document.addEventListener("htmx:afterSettle", (event) => {
  markActiveSpan();
  filterSpanList();
  const source = event.detail.requestConfig?.elt;
  if (!(source instanceof Element) || event.detail.successful === false) return;
  if (source.id === "suggest-button") {
    focusSuggestionAt(0);
  } else if (source.closest("#suggestions") && suggestionIndex !== null) {
    focusSuggestionAt(suggestionIndex);
  } else if (source.id === "span-form" || source.closest("#span-list")) {
    const editor = document.getElementById("editor");
    if (editor?.dataset.activeSpan) {
      editor.tabIndex = -1;
      editor.focus({ preventScroll: true });
    }
  } else if (source.closest(".side-panel") && !source.closest("#suggestions")) {
    returnToText();
  }
});

// Escape, from anywhere outside the text (a form, the span list), closes what is open and
// brings the focus back to the text: one key, not fifteen Tabs.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || event.defaultPrevented) return;
  const body = articleBody();
  if (!body || event.target === body) return;
  if (spanMenu() && !spanMenu().hidden) {
    closeSpanMenu();
  }
  const target = event.target instanceof Element ? event.target : null;
  const details = target?.closest("details[open]");
  if (details && details.closest(".side-panel")) details.open = false;
  // Leaving the label popup drops the selection it was for (else it would be offered again).
  if (target?.closest(".label-popup")) keyboard.anchor = keyboard.focus;
  event.preventDefault();
  returnToText();
});

// Claim targets as a type-ahead chip list: the multiple <select> stays the form's field (and
// what works without this script); the chips and the search box drive it.

function enhanceChips(select) {
  if (select.dataset.chips) return;
  select.dataset.chips = "on";
  select.hidden = true;
  const box = document.createElement("div");
  box.className = "chip-box";
  const chips = document.createElement("ul");
  chips.className = "chips-chosen";
  chips.setAttribute("aria-label", "Chosen targets");
  const input = document.createElement("input");
  input.type = "search";
  input.autocomplete = "off";
  input.placeholder = "Type a name to add a target";
  input.setAttribute("aria-label", "Add a target");
  const options = document.createElement("ul");
  options.className = "chip-options";
  options.setAttribute("role", "listbox");
  options.hidden = true;
  box.append(chips, input, options);
  select.after(box);

  function render() {
    chips.replaceChildren(
      ...Array.from(select.selectedOptions).map((option) => {
        const chip = document.createElement("li");
        chip.className = "chip";
        chip.textContent = option.textContent;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "×";
        remove.setAttribute("aria-label", `Remove ${option.textContent}`);
        remove.addEventListener("click", () => {
          option.selected = false;
          render();
          input.focus();
        });
        chip.append(remove);
        return chip;
      }),
    );
  }

  function offer() {
    const text = input.value.trim().toLowerCase();
    const matching = text
      ? Array.from(select.options)
          .filter((o) => !o.selected && o.textContent.toLowerCase().includes(text))
          .slice(0, 8)
      : [];
    options.replaceChildren(
      ...matching.map((option, index) => {
        const item = document.createElement("li");
        item.setAttribute("role", "option");
        item.textContent = option.textContent;
        item.dataset.value = option.value;
        if (index === 0) item.classList.add("is-current");
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          choose(option);
        });
        return item;
      }),
    );
    options.hidden = matching.length === 0;
  }

  function choose(option) {
    option.selected = true;
    input.value = "";
    offer();
    render();
    input.focus();
  }

  input.addEventListener("input", offer);
  input.addEventListener("keydown", (event) => {
    const items = Array.from(options.children);
    const current = options.querySelector(".is-current");
    const at = items.indexOf(current);
    if (event.key === "Enter") {
      event.preventDefault(); // not the form's submit
      const value = current?.dataset.value;
      const option = Array.from(select.options).find((o) => o.value === value);
      if (option) choose(option);
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && items.length) {
      event.preventDefault();
      const next = items[(at + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length];
      current?.classList.remove("is-current");
      next.classList.add("is-current");
    } else if (event.key === "Backspace" && input.value === "") {
      const chosen = select.selectedOptions;
      if (chosen.length) {
        chosen[chosen.length - 1].selected = false;
        render();
      }
    } else if (event.key === "Escape" && !options.hidden) {
      event.preventDefault();
      event.stopPropagation();
      input.value = "";
      offer();
    }
  });
  render();
}

function enhanceAllChips() {
  for (const select of document.querySelectorAll("select.chips[multiple]")) enhanceChips(select);
}

document.addEventListener("DOMContentLoaded", enhanceAllChips);
document.addEventListener("htmx:afterSettle", enhanceAllChips);

// Undo and redo: Ctrl+Z, Ctrl+Shift+Z (or Ctrl+Y), or the toolbar's buttons; what was undone
// is announced under the text.

document.addEventListener("keydown", (event) => {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || isTyping(event.target)) return;
  const key = event.key.toLowerCase();
  let button = null;
  if (key === "z" && !event.shiftKey) button = document.getElementById("undo-button");
  else if ((key === "z" && event.shiftKey) || key === "y") {
    button = document.getElementById("redo-button");
  }
  if (!button) return;
  event.preventDefault();
  button.click();
});

document.addEventListener("workbench:undone", (event) => announce(event.detail.message));
