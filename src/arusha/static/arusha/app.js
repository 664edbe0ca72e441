// Arusha's only script of its own: small behaviours, no inline handlers (the CSP refuses them).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.requestSubmit();
  }
});

// Timeline bars carry their position as data: inline styles are refused by the CSP.
function placeTimelineBars(root) {
  root.querySelectorAll(".timeline-bar[data-offset]").forEach((bar) => {
    bar.style.left = bar.dataset.offset + "%";
    bar.style.width = bar.dataset.width + "%";
  });
}
document.addEventListener("DOMContentLoaded", () => placeTimelineBars(document));
document.addEventListener("htmx:afterSwap", (event) => placeTimelineBars(event.target));

// Answers are saved as drafts on the server while people type (htmx, see response.html).
// Where the network drops, the words are also kept in this browser until the server
// has them, and offered back when the page is opened again.
function draftStore(form) {
  const key = form.dataset.draftKey;
  const narrative = form.querySelector("textarea[name=narrative]");
  const status = document.getElementById("autosave-status");
  if (!key || !narrative) return;
  const keep = () => {
    try {
      localStorage.setItem(key, JSON.stringify({ text: narrative.value, at: Date.now() }));
    } catch (error) {
      // Storage full or refused (private mode): the server draft still works.
    }
  };
  narrative.addEventListener("input", keep);
  if (status) {
    status.addEventListener("htmx:afterRequest", (event) => {
      if (event.detail.successful) {
        localStorage.removeItem(key);
      } else {
        status.textContent = status.dataset.offline;
      }
    });
  }
  let kept = null;
  try {
    kept = JSON.parse(localStorage.getItem(key) || "null");
  } catch (error) {
    kept = null;
  }
  if (kept && kept.text && kept.text.trim() !== narrative.value.trim()) {
    const offer = document.getElementById("restore-draft");
    if (offer) {
      offer.hidden = false;
      offer.querySelector("button").addEventListener("click", () => {
        narrative.value = kept.text;
        narrative.dispatchEvent(new Event("input", { bubbles: true }));
        offer.hidden = true;
      });
    }
  }
}
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-draft-key]").forEach(draftStore);
});
