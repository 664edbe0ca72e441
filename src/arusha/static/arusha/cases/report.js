// The reporters' pages (arusha.cases.views.public): the proof of work a report costs, and
// navigation that keeps one history entry. No inline code: the pages' CSP refuses it.
//
// Proof of work: find a nonce such that sha256(challenge + ":" + nonce) starts with
// `data-pow-bits` zero bits. Pure JavaScript (vendor/sha256.min.js): crypto.subtle exists
// only in secure contexts, and many deployments are plain http on closed networks.
//
// One history entry: links and forms of these pages are fetched and the page replaced in
// place (history.replaceState), so the browser's history keeps only the first page a
// reporter opened. Without JavaScript everything but sending a report still works.
(function () {
  "use strict";

  function leadingZeroBits(bytes) {
    let count = 0;
    for (let i = 0; i < bytes.length; i += 1) {
      if (bytes[i] === 0) {
        count += 8;
      } else {
        return count + Math.clz32(bytes[i]) - 24;
      }
    }
    return count;
  }

  // Works in slices so the page stays responsive; resolves with the nonce.
  function solve(challenge, bits) {
    return new Promise((resolve) => {
      let nonce = 0;
      const slice = () => {
        const end = nonce + 4000;
        for (; nonce < end; nonce += 1) {
          if (leadingZeroBits(window.sha256.array(challenge + ":" + nonce)) >= bits) {
            resolve(String(nonce));
            return;
          }
        }
        setTimeout(slice, 0);
      };
      slice();
    });
  }

  function say(status, key) {
    if (status) status.textContent = status.dataset[key] || "";
  }

  function preparePow(form) {
    const challenge = form.querySelector("input[name=challenge]");
    const nonce = form.querySelector("input[name=nonce]");
    const status = form.querySelector(".pow-status");
    if (!challenge || !nonce || !window.sha256) return;
    say(status, "working");
    form.powReady = solve(challenge.value, parseInt(form.dataset.powBits || "0", 10)).then((found) => {
      nonce.value = found;
      if (!form.powWaiting) say(status, "ready");
      return found;
    });
  }

  function init(root) {
    root.querySelectorAll("form[data-pow]").forEach(preparePow);
    const summary = root.querySelector(".error-summary");
    const main = root.querySelector("#main");
    if (summary) summary.focus();
    else if (main) main.focus();
  }

  function download(response, name) {
    return response.blob().then((blob) => {
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = name || "file";
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    });
  }

  function show(response, downloadName) {
    const disposition = response.headers.get("Content-Disposition") || "";
    if (disposition.indexOf("attachment") === 0) {
      return download(response, downloadName);
    }
    return response.text().then((html) => {
      const next = new DOMParser().parseFromString(html, "text/html");
      document.title = next.title;
      document.body.replaceWith(document.adoptNode(next.body));
      // Replace, never push: the history keeps one entry for all of the reporter's pages.
      history.replaceState(null, "", response.url);
      window.scrollTo(0, 0);
      init(document);
    });
  }

  function go(url, options, failed, downloadName) {
    // No cookie, no referrer: the same as the pages' own headers ask.
    const settings = Object.assign({ credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" }, options);
    return fetch(url, settings)
      .then((response) => show(response, downloadName))
      .catch(() => failed());
  }

  function ours(url) {
    return url.origin === window.location.origin && url.pathname.indexOf("/report/") === 0;
  }

  document.addEventListener("click", (event) => {
    if (!document.body.hasAttribute("data-report-pages")) return;
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.target || link.hasAttribute("download")) return;
    const url = new URL(link.href, window.location.href);
    if (!ours(url) || url.hash) return;
    event.preventDefault();
    go(url.href, { method: "GET" }, () => window.location.replace(url.href));
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !document.body.hasAttribute("data-report-pages")) return;
    // getAttribute: a field named "action" would shadow form.action.
    const url = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    if (!ours(url) || (form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    event.preventDefault();
    const status = form.querySelector(".pow-status");
    const buttons = form.querySelectorAll("button[type=submit]");
    const ready = form.powReady || Promise.resolve();
    form.powWaiting = true;
    say(status, "waiting");
    buttons.forEach((button) => { button.disabled = true; });
    const failed = () => {
      buttons.forEach((button) => { button.disabled = false; });
      form.powWaiting = false;
      if (status) say(status, "failed");
    };
    ready.then(() => go(url.href, { method: "POST", body: new FormData(form) }, failed, form.dataset.download))
      .then(() => {
        // A download leaves the page as it was: give the buttons back.
        if (form.isConnected) {
          buttons.forEach((button) => { button.disabled = false; });
          form.powWaiting = false;
          if (form.dataset.pow !== undefined) say(status, "ready");
        }
      });
  });

  document.addEventListener("DOMContentLoaded", () => {
    if (document.body.hasAttribute("data-report-pages")) init(document);
  });

  window.arushaReport = { leadingZeroBits: leadingZeroBits, solve: solve };
})();
