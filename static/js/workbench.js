// Every page's htmx helpers (base.html loads this module): a refused request shows its message
// in the page's #errors region, never an error page swapped into a fragment, and a success
// clears it. The server retargets its refusals to #errors (views.common.refusal); a form
// answered 400 with its own errors beside its fields is swapped where it was aimed.

const MESSAGES = {
  403: "You may not do that here.",
  404: "That no longer exists. Reload the page to see it as it is now.",
  500: "Something went wrong on our side; it was not done. Try again in a moment.",
};

function errorRegion() {
  let region = document.getElementById("errors");
  if (!region) {
    region = document.createElement("div");
    region.id = "errors";
    region.className = "errors";
    region.setAttribute("role", "alert");
    document.querySelector("main")?.prepend(region);
  }
  return region;
}

function showError(text) {
  const region = errorRegion();
  region.textContent = "";
  const line = document.createElement("p");
  line.className = "error";
  line.textContent = text;
  region.append(line);
}

document.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail.xhr;
  if (xhr.status < 400) return;
  if (xhr.getResponseHeader("HX-Retarget") || xhr.status === 400 || xhr.status === 409) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
    return;
  }
  event.detail.shouldSwap = false;
  showError(MESSAGES[xhr.status] || MESSAGES[500]);
});

// A refusal answering an element the page has replaced meanwhile (a key pressed again before the
// first answer re-rendered the list): htmx would look for #errors from that detached element,
// find nothing and throw. Show the refusal here instead. (Events on a detached element never
// reach the document, so each request sent listens on its own element until it is over.)
document.addEventListener("htmx:beforeSend", (event) => {
  const elt = event.detail.elt;
  const ownRequest = (seen) => seen.detail.elt === elt;
  const onLoad = (loaded) => {
    const xhr = loaded.detail.xhr;
    if (!ownRequest(loaded) || elt.isConnected) return;
    if (xhr.getResponseHeader("HX-Retarget") !== "#errors") return;
    loaded.preventDefault();
    const refusal = new DOMParser().parseFromString(xhr.responseText, "text/html");
    showError(refusal.body.textContent.trim() || MESSAGES[xhr.status] || MESSAGES[500]);
  };
  const onOver = (over) => {
    if (!ownRequest(over)) return;
    elt.removeEventListener("htmx:beforeOnLoad", onLoad);
    elt.removeEventListener("htmx:afterRequest", onOver);
  };
  elt.addEventListener("htmx:beforeOnLoad", onLoad);
  elt.addEventListener("htmx:afterRequest", onOver);
});

document.addEventListener("htmx:sendError", () => {
  showError("The server could not be reached: nothing was saved. Check your connection and try again.");
});

document.addEventListener("htmx:afterRequest", (event) => {
  const errors = document.getElementById("errors");
  if (errors && event.detail.successful && event.detail.target !== errors) {
    errors.textContent = "";
  }
});

// A drawer (a <details class="drawer">, such as the annotate page's guidelines) closes with Esc
// and gives the focus back to its button.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const drawer = document.querySelector("details.drawer[open]");
  if (!drawer) return;
  drawer.open = false;
  drawer.querySelector("summary")?.focus();
});
