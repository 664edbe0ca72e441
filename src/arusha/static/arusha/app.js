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
