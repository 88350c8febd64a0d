/*
 * The adjudication page: keys and clicks that select items and decide them in place.
 *
 * The server renders everything; this script only picks the item (htmx GET of its panel),
 * presses the panel's buttons for the keys, asks for a reason before a decision that
 * overrides an annotator, and after each swap marks the current item in the text and the list,
 * repaints the annotators' highlights with their items' states, and keeps focus in the panel.
 * Offsets come from one place: a span the annotators missed is selected in the Gold column
 * (whose text is the article's) and measured by offsets.js, as on the annotate page.
 */

import { domPoint, selectionIn } from "./offsets.js";

const root = document.querySelector(".adjudicate");

const REASON_KEYS = {
  g: "guideline",
  b: "boundary",
  l: "wrong_label",
  a: "wrong_actor",
  m: "missed",
  o: "other",
};

let pending = null; // the decision button waiting for a reason

function currentKey() {
  return document.querySelector("#detail .detail-inner")?.dataset.key ?? null;
}

function select(key) {
  const url = `${root.dataset.url}?item=${encodeURIComponent(key)}`;
  window.htmx.ajax("GET", url, { target: "#detail", swap: "innerHTML" });
}

function listRows() {
  return [...document.querySelectorAll("#item-list li.item")];
}

/** Select the next (+1) or previous (-1) item after the current one: an undecided one, or
 * any when `undecidedOnly` is false. */
function step(direction, undecidedOnly = true) {
  const rows = listRows();
  if (!rows.length) return;
  const at = rows.findIndex((row) => row.dataset.key === currentKey());
  for (let n = 1; n <= rows.length; n += 1) {
    const index = (((at + direction * n) % rows.length) + rows.length) % rows.length;
    const row = rows[index];
    const undecided = row.dataset.state === "agree" || row.dataset.state === "disagree";
    if (undecided || !undecidedOnly) {
      select(row.dataset.key);
      return;
    }
  }
}

/** The highlights of an item: a span's own, or for a claim those of the span stating it. */
function marksOf(key) {
  if (!key) return [];
  const all = [...document.querySelectorAll("#layers-scroll mark[data-key]")];
  if (key.startsWith("claim:")) {
    const range = `span:${key.slice("claim:".length)}`;
    return all.filter((m) => m.dataset.key === range || m.dataset.key.startsWith(`${range}:`));
  }
  return all.filter((m) => m.dataset.key === key);
}

/** Scroll `container` just enough to show `element` (never the window). */
function reveal(container, element) {
  if (!container || !element) return;
  const top = element.offsetTop;
  const bottom = top + element.offsetHeight;
  if (top < container.scrollTop || bottom > container.scrollTop + container.clientHeight) {
    container.scrollTop = Math.max(0, top - container.clientHeight / 3);
  }
}

/** After a swap: the annotators' highlights take their items' states, and the current item
 * is marked in the text and the list and brought into view in both. */
function refresh() {
  const states = new Map(listRows().map((row) => [row.dataset.key, row.dataset.state]));
  for (const mark of document.querySelectorAll("#layers-scroll mark[data-key]")) {
    mark.classList.remove("current");
    if (mark.closest("#layer-gold")) continue;
    const state = states.get(mark.dataset.key);
    if (state && !mark.classList.contains(`st-${state}`)) {
      mark.className = mark.className.replace(/\bst-\w+/, `st-${state}`);
    }
  }
  const key = currentKey();
  document.querySelector("#detail .detail-inner")?.setAttribute("data-ready", "");
  const marks = marksOf(key);
  for (const mark of marks) mark.classList.add("current");
  reveal(document.getElementById("layers-scroll"), marks[0]);
  for (const row of listRows()) {
    const link = row.querySelector("a");
    if (row.dataset.key === key) {
      link.setAttribute("aria-current", "true");
      reveal(document.getElementById("item-list"), row);
    } else {
      link.removeAttribute("aria-current");
    }
  }
  if (pending && !pending.isConnected) pending = null;
}

function askReason(button) {
  const reason = document.getElementById("reason");
  const hint = document.getElementById("reason-keys");
  if (!reason) return;
  pending = button;
  reason.classList.add("asking");
  hint.hidden = false;
  document.getElementById("reason-code").focus({ preventScroll: true });
}

function cancelReason() {
  pending = null;
  document.getElementById("reason")?.classList.remove("asking");
  const hint = document.getElementById("reason-keys");
  if (hint) hint.hidden = true;
}

/** Press a decision button, asking for the reason first when it overrides an annotator. */
function decide(button) {
  if (!button || button.disabled) return;
  const reason = document.getElementById("reason-code");
  if (button.hasAttribute("data-overrides") && reason && !reason.value) {
    askReason(button);
    return;
  }
  button.click();
}

function submit(formId) {
  const form = document.getElementById(formId);
  const button = form?.querySelector("button[type=submit]");
  if (button && !button.disabled) form.requestSubmit(button);
}

// Adding a span the annotators missed: the selection in the Gold column fills the form.

function goldLayer() {
  return document.getElementById("layer-gold");
}

function fillMissed(span) {
  const form = document.getElementById("missed-form");
  if (!form || !span) return false;
  document.getElementById("missed-start").value = span.start;
  document.getElementById("missed-end").value = span.end;
  document.getElementById("missed-quote-field").value = span.quote;
  document.getElementById("missed-quote").textContent = `“${span.quote}”`;
  return true;
}

function onSelectionEnd(event) {
  if (!event.target.closest?.("#layer-gold")) return;
  fillMissed(selectionIn(goldLayer()));
}

const finding = { needle: "", after: 0 };

/** Select the next occurrence of the Find text in the Gold column (after the current
 * selection there, from the top again at the end), and fill the form from it. */
function findMissed() {
  const needle = document.getElementById("missed-find").value;
  const layer = goldLayer();
  if (!needle || !layer) return;
  const text = layer.textContent;
  // UTF-16 indexes, used only to place the DOM selection; offsets.js measures it.
  const from = needle === finding.needle ? finding.after : 0;
  let at = text.indexOf(needle, from);
  if (at < 0) at = text.indexOf(needle);
  const line = document.getElementById("missed-quote");
  if (at < 0) {
    line.textContent = `“${needle}” is not in the text.`;
    return;
  }
  finding.needle = needle;
  finding.after = at + 1;
  const range = document.createRange();
  const [startNode, startOffset] = domPoint(layer, at);
  const [endNode, endOffset] = domPoint(layer, at + needle.length);
  range.setStart(startNode, startOffset);
  range.setEnd(endNode, endOffset);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  fillMissed(selectionIn(layer));
  const mark = startNode.parentElement;
  reveal(document.getElementById("layers-scroll"), mark?.closest("p") ?? mark);
}

function startMissed() {
  const form = document.getElementById("missed-form");
  if (!form) return false;
  if (fillMissed(selectionIn(goldLayer()))) {
    document.getElementById("missed-label").focus({ preventScroll: true });
  } else {
    document.getElementById("missed-find").focus({ preventScroll: true });
  }
  form.scrollIntoView({ block: "nearest" });
  return true;
}

function onKey(event) {
  if (event.target.id === "missed-find" && event.key === "Enter") {
    event.preventDefault();
    findMissed();
    return;
  }
  if (event.target.closest?.("#missed-start, #missed-end")) {
    document.getElementById("missed-quote-field").value = ""; // typed: the server checks the range
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if ("busy" in root.dataset) {
    // The last decision is still on its way: a key now would act on the panel it replaces.
    if (!event.target.closest("input, select, textarea")) event.preventDefault();
    return;
  }
  if (pending) {
    if (event.key === "Escape") {
      cancelReason();
      event.preventDefault();
    } else if (REASON_KEYS[event.key]) {
      event.preventDefault();
      document.getElementById("reason-code").value = REASON_KEYS[event.key];
      const button = pending;
      cancelReason();
      button.click();
    }
    return;
  }
  const target = event.target;
  if (target.closest("input, select, textarea, [contenteditable]")) {
    if (event.key === "Escape") target.blur();
    return;
  }
  const key = event.key;
  const form = document.getElementById("decide-form");
  if (key === "j") step(1);
  else if (key === "k") step(-1);
  else if (key === "n") step(1, false);
  else if (key === "p") step(-1, false);
  else if (/^[1-9]$/.test(key)) {
    const buttons = form ? [...form.querySelectorAll("button[data-keys]")] : [];
    decide(buttons.find((b) => b.dataset.keys.split(" ").includes(key)));
  } else if (key === "x") decide(document.getElementById("reject-button"));
  else if (key === "e") {
    const edit = document.getElementById("edit");
    if (!edit) return;
    edit.open = true;
    edit.querySelector("select, input:not([type=hidden])")?.focus();
  } else if (key === "u") submit("undo-form");
  else if (key === "A") submit("unanimous-form");
  else if (key === "s") {
    if (!startMissed()) return;
  }
  else return;
  event.preventDefault();
}

function onClick(event) {
  const mark = event.target.closest("#layers-scroll mark[data-key]");
  if (mark && mark.dataset.key) {
    event.preventDefault();
    select(mark.dataset.key);
    return;
  }
  const link = event.target.closest("#item-list li.item a");
  if (link) {
    event.preventDefault();
    select(link.closest("li").dataset.key);
    return;
  }
  const button = event.target.closest("#decide-form button[data-overrides]");
  const reason = document.getElementById("reason-code");
  if (button && reason && !reason.value && event.isTrusted) {
    event.preventDefault();
    askReason(button);
  }
}

function onReasonChosen(event) {
  if (event.target.id === "reason-code" && pending && event.target.value) {
    const button = pending;
    cancelReason();
    button.click();
  }
}

if (root) {
  document.addEventListener("keydown", onKey);
  document.addEventListener("click", onClick, true);
  document.addEventListener("change", onReasonChosen);
  document.addEventListener("mouseup", onSelectionEnd);
  document.addEventListener("keyup", onSelectionEnd);
  // A refused decision (400, 409) still shows its message in the panel.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    if ([400, 409].includes(event.detail.xhr.status)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.target?.id === "detail") root.dataset.busy = "";
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const status = event.detail.xhr?.status ?? 0;
    if ((status >= 200 && status < 300) || status === 400 || status === 409) return;
    delete root.dataset.busy; // no panel to swap in: say why, and let the keys work again
    const line = document.getElementById("adj-status");
    if (!line) return;
    line.textContent =
      status === 403
        ? "You may not make this decision (reload the page to see why); nothing was saved."
        : "The server did not answer; nothing was saved. Try again.";
  });
  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target?.id !== "detail") return;
    delete root.dataset.busy;
    refresh();
    document.getElementById("detail").focus({ preventScroll: true });
  });
  refresh();
}
