/*
 * Arusha survey station (docs/surveys-station.md): an offline app for tablets, and the
 * online survey in a respondent's own browser. Plain JavaScript, Web Crypto and IndexedDB.
 *
 * Station mode (/station/):
 *   enrol (QR code: /station/#enrol=<code>) -> supervisor's home (waves, responses on the
 *   device, synchronisation, export) -> readiness check -> kiosk: language, anonymity
 *   statement, group, one block of questions per screen, send -> "thank you" -> a full
 *   reset (nothing of one respondent is left for the next) -> the next respondent.
 * Online mode (/s/<organization>/<wave>/): the same questions, sent at once to the server.
 *
 * Rules kept here:
 *   - answers live in memory only, in `respondent`; they leave it once, encrypted
 *     (station-core.js seal()), and are stored in ONE IndexedDB transaction before
 *     "thank you" shows; then the page is replaced, so no DOM, history or storage of
 *     one respondent reaches the next;
 *   - the server is told nothing but envelopes: no time, no device, no station in them;
 *   - an update of the app never strands queued responses: the database schema only
 *     ever adds (station-store.js upgrade()), and a new service worker waits while a
 *     respondent answers.
 *
 * Every sentence comes from the server (the "station-config" JSON of the shell page).
 */
(function () {
  "use strict";

  const core = window.arushaCore;
  const config = JSON.parse(document.getElementById("station-config").textContent);
  const app = document.getElementById("app");
  const overlay = document.getElementById("station-overlay");
  const networkLine = document.getElementById("station-network");
  const STATES = ["queued", "sent", "verified", "conflict"];
  const INVITATION_KEY = "arusha-invitation";

  let uiLanguage = config.language;
  // The respondent being served: in memory only, never written anywhere in clear.
  let respondent = null;
  let registration = null;
  let reloadOnNewWorker = false;
  let syncing = null;
  let lastSync = "";
  let notice = "";

  // --- Words ---------------------------------------------------------------------------

  function t(key, values) {
    const catalogue = config.strings[uiLanguage] || config.strings.en || {};
    let text = catalogue[key] || (config.strings.en || {})[key] || key;
    for (const [name, value] of Object.entries(values || {})) text = text.split("{" + name + "}").join(String(value));
    return text;
  }

  function setUiLanguage(code) {
    if (config.strings[code]) uiLanguage = code;
    document.documentElement.lang = uiLanguage;
  }

  // --- The page --------------------------------------------------------------------------

  // h("button", {id: "x", class: "y", onclick: f, disabled: true}, "text", child...)
  function h(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "class") node.className = value;
      else if (name === "dataset") Object.assign(node.dataset, value);
      else if (value === true) node.setAttribute(name, "");
      else node.setAttribute(name, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // Screens drawn after something asynchronous take a ticket first: if another screen was
  // drawn or claimed meanwhile (the person moved on), theirs is dropped.
  let renderSeq = 0;
  let shownSeq = 0;

  function claim() {
    return ++renderSeq;
  }

  function stillMine(ticket) {
    return ticket === renderSeq;
  }

  // Whether `screen` is showing and nothing else is being drawn (for background refreshes).
  function settledOn(screen) {
    return app.dataset.screen === screen && renderSeq === shownSeq;
  }

  function show(screen, ...nodes) {
    shownSeq = ++renderSeq;
    app.replaceChildren(...nodes.filter((node) => node !== null && node !== undefined && node !== false));
    app.dataset.screen = screen;
    const heading = app.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: false });
    }
  }

  function message(text, kind) {
    return h("p", { class: "station-message " + (kind || ""), role: kind === "error" ? "alert" : "status" }, text);
  }

  function showNetwork() {
    if (!networkLine) return;
    networkLine.textContent = navigator.onLine ? t("online") : t("offline");
    networkLine.dataset.online = navigator.onLine ? "yes" : "no";
  }

  // --- What the station keeps and sends (station-store.js) -------------------------------

  const store = window.arushaStore.createStore(config, { t, busy: () => respondent !== null });
  const { ServerError, call, sleep, getSetting, setSetting, deleteSetting, getPackage, counts, refresh, waveOf } = store;

  async function enrol(code) {
    show("enrolling", h("h1", {}, t("enrol_title")), message(t("enrol_running")));
    let reply;
    try {
      reply = await store.enrolWith(code);
    } catch (error) {
      const text = error.status === 403 ? t("enrol_refused") : error.status === 0 ? t("enrol_network") : error.message;
      show("enrol-refused", h("h1", {}, t("enrol_title")), message(text, "error"));
      return false;
    }
    notice = t("enrol_done", { station: reply.station, organization: reply.organization });
    return true;
  }

  // One synchronisation at a time; the result says what happened, in words.
  function sync() {
    if (!syncing) {
      syncing = (async () => {
        if (!navigator.onLine) return t("sync_offline");
        try {
          const totals = await store.doSync();
          return t("sync_done", totals);
        } catch (error) {
          if (error instanceof ServerError && error.status === 401) return t("station_retired");
          return t("sync_failed", { reason: error.message });
        }
      })().then((text) => {
        lastSync = text;
        syncing = null;
        if (settledOn("home")) renderHome();
        return text;
      });
    }
    return syncing;
  }

  // --- The service worker: installed once, updated only between respondents -------------------

  function applyUpdate() {
    if (!registration || !registration.waiting || respondent || !navigator.serviceWorker.controller) return false;
    reloadOnNewWorker = true;
    registration.waiting.postMessage({ type: "activate" });
    return true;
  }

  async function registerWorker() {
    if (config.mode !== "station" || !("serviceWorker" in navigator)) return;
    try {
      registration = await navigator.serviceWorker.register(config.worker, { scope: config.scope, updateViaCache: "none" });
    } catch (error) {
      return;
    }
    registration.addEventListener("updatefound", () => {
      const worker = registration.installing;
      if (!worker) return;
      worker.addEventListener("statechange", () => {
        if (worker.state === "installed") applyUpdate();
      });
    });
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      // Never under a respondent's feet: if someone started answering while the new worker
      // was taking over, the reset after their response loads the new shell instead.
      if (reloadOnNewWorker && !respondent) location.reload();
    });
    applyUpdate();
  }

  // --- Readiness --------------------------------------------------------------------------------

  // The checks, in order: [name, label, what to do, async test]. All must pass.
  function checks(waveId, expected) {
    const station = config.mode === "station";
    const list = [];
    let pkg = null;
    if (station) list.push(["persist", t("check_persist"), t("check_persist_fail"), store.checkPersist]);
    list.push([
      "package",
      t("check_package"),
      t("check_package_fail"),
      async () => {
        const text = station ? ((await getPackage(waveId)) || {}).text : onlinePackage;
        if (!text) return false;
        const wanted = station ? ((await waveOf(waveId)) || {}).checksum : expected;
        if ((await core.sha256Hex(text)) !== wanted) return false;
        pkg = JSON.parse(text);
        return true;
      },
    ]);
    if (station) list.push(["storage", t("check_storage"), t("check_storage_fail"), store.checkStorage]);
    list.push(["encrypt", t("check_encrypt"), t("check_encrypt_fail"), async () => pkg !== null && store.checkEncrypt(pkg)]);
    if (station) {
      list.push([
        "space",
        t("check_space", { mb: config.min_free_mb }),
        null,
        async () => {
          const free = await store.freeMb();
          return free >= config.min_free_mb ? true : t("check_space_fail", { free });
        },
      ]);
    }
    return { list, pkg: () => pkg };
  }

  // Run every check, showing each as it goes when `list` is given; true when all passed.
  async function runChecks(waveId, expected, rows) {
    const plan = checks(waveId, expected);
    let passed = true;
    for (const [name, , fail, test] of plan.list) {
      const row = rows && rows.querySelector('[data-check="' + name + '"]');
      if (row) {
        row.dataset.state = "running";
        row.querySelector(".check-state").textContent = t("check_running");
      }
      let outcome;
      try {
        outcome = await test();
      } catch (error) {
        outcome = false;
      }
      const ok = outcome === true;
      // A deployment may let stations collect without persistent storage (a test browser
      // never grants it): the check still shows, as a warning.
      const tolerated = !ok && name === "persist" && config.require_persist === false;
      passed = passed && (ok || tolerated);
      if (row) {
        row.dataset.state = ok ? "pass" : tolerated ? "warn" : "fail";
        row.querySelector(".check-state").textContent = ok ? t("check_passed") : tolerated ? t("check_tolerated") : t("check_failed");
        row.querySelector(".check-help").textContent = ok ? "" : typeof outcome === "string" ? outcome : fail;
      }
    }
    return { passed, pkg: plan.pkg() };
  }

  async function renderReadiness(waveId) {
    const ticket = claim();
    const wave = await waveOf(waveId);
    const plan = checks(waveId, null);
    const rows = h(
      "ul",
      { id: "readiness-list", class: "checklist" },
      plan.list.map(([name, text]) =>
        h("li", { dataset: { check: name, state: "waiting" } }, h("span", { class: "check-label" }, text), " ", h("strong", { class: "check-state" }), h("p", { class: "check-help" }))
      )
    );
    const handOver = h("button", { id: "hand-over", type: "button", disabled: true }, t("hand_over"));
    const again = h("button", { id: "check-again", type: "button", class: "secondary" }, t("check_again"));
    const back = h("button", { id: "readiness-back", type: "button", class: "secondary", onclick: () => renderHome() }, t("back"));
    if (!stillMine(ticket)) return;
    show(
      "readiness",
      h("h1", {}, t("readiness_title")),
      h("p", { class: "station-lead" }, wave ? wave.survey + " · " + wave.name : ""),
      h("p", {}, t("readiness_intro")),
      rows,
      h("p", { class: "actions" }, handOver, again, back)
    );
    const run = async () => {
      handOver.disabled = true;
      again.disabled = true;
      const result = await runChecks(waveId, null, rows);
      again.disabled = false;
      handOver.disabled = !result.passed || !wave || wave.status !== "open";
    };
    again.addEventListener("click", run);
    handOver.addEventListener("click", async () => {
      await setSetting("kiosk", waveId);
      resetAll();
    });
    await run();
  }

  // --- The supervisor's home ------------------------------------------------------------------

  async function renderHome() {
    const ticket = claim();
    const station = (await getSetting("station")) || {};
    const manifest = (await getSetting("manifest")) || { waves: [] };
    const refused = await getSetting("refused");
    const byWave = await counts();
    const waveRows = [];
    for (const wave of manifest.waves) {
      const stored = await getPackage(wave.id);
      const ready = stored && stored.checksum === wave.checksum;
      waveRows.push(
        h(
          "li",
          { class: "wave", dataset: { wave: wave.id, status: wave.status } },
          h("strong", {}, wave.survey + " · " + wave.name),
          " ",
          h("span", { class: "tag" }, wave.status === "open" ? t("wave_open") : t("wave_closed")),
          " ",
          h("span", { class: "muted" }, ready ? t("package_ready") : t("package_missing")),
          wave.status === "open"
            ? h("p", {}, h("button", { type: "button", class: "start-wave", dataset: { wave: wave.id }, onclick: () => renderReadiness(wave.id) }, t("start_wave")))
            : null
        )
      );
    }
    const names = new Map(manifest.waves.map((w) => [String(w.id), w.survey + " · " + w.name]));
    const table = h(
      "table",
      { id: "reconciliation", class: "counts" },
      h("caption", { class: "visually-hidden" }, t("reconcile_title")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("wave")), STATES.map((s) => h("th", { scope: "col" }, t("state_" + s))))),
      h(
        "tbody",
        {},
        Object.entries(byWave).map(([wave, row]) =>
          h("tr", { dataset: { wave } }, h("th", { scope: "row" }, names.get(wave) || wave), STATES.map((s) => h("td", { dataset: { state: s } }, String(row[s] || 0))))
        )
      )
    );
    const verified = Object.values(byWave).reduce((sum, row) => sum + (row.verified || 0), 0);
    const status = h("p", { id: "home-status", class: "station-message", role: "status" }, notice || lastSync);
    notice = "";
    const act = (id, label, work, secondary) =>
      h(
        "button",
        {
          id,
          type: "button",
          class: secondary ? "secondary" : "",
          onclick: async (event) => {
            event.target.disabled = true;
            status.textContent = "…";
            try {
              status.textContent = await work();
            } catch (error) {
              status.textContent = error.message;
            }
            event.target.disabled = false;
          },
        },
        label
      );
    const languages = h(
      "select",
      {
        id: "ui-language",
        onchange: async (event) => {
          setUiLanguage(event.target.value);
          await setSetting("ui_language", uiLanguage);
          renderHome();
        },
      },
      Object.keys(config.strings).map((code) =>
        h("option", { value: code, lang: code, selected: code === uiLanguage }, (config.language_names || {})[code] || code)
      )
    );
    if (!stillMine(ticket)) return;
    show(
      "home",
      h("h1", {}, t("home_title")),
      h("p", { class: "station-lead" }, t("station_of", { station: station.name || "", organization: station.organization || "" })),
      refused ? message(t("station_retired"), "error") : null,
      status,
      h("h2", {}, t("waves")),
      waveRows.length ? h("ul", { id: "waves", class: "waves" }, waveRows) : h("p", { class: "empty" }, t("no_waves")),
      h(
        "p",
        { class: "actions" },
        act("refresh", t("refresh"), async () => {
          await refresh();
          notice = t("refreshed");
          setTimeout(renderHome, 0);
          return notice;
        }, true)
      ),
      h("h2", {}, t("reconcile_title")),
      h("p", { class: "muted" }, t("reconcile_intro")),
      table,
      h(
        "p",
        { class: "actions" },
        act("sync", t("sync"), () => sync()),
        act("export", t("export"), () => store.exportUnsent(), true),
        verified
          ? h(
              "button",
              {
                id: "purge",
                type: "button",
                class: "secondary",
                onclick: (event) => {
                  // Asked once, in the page: what it removes and that the server holds it.
                  event.target.replaceWith(
                    h(
                      "span",
                      { class: "confirm" },
                      t("purge_confirm", { count: verified }),
                      " ",
                      act("purge-yes", t("purge"), async () => {
                        const removed = await store.purgeVerified();
                        notice = t("purge_done", { count: removed });
                        setTimeout(renderHome, 0);
                        return notice;
                      })
                    )
                  );
                },
              },
              t("purge")
            )
          : null
      ),
      h("p", { class: "station-language" }, h("label", { for: "ui-language" }, t("ui_language")), " ", languages)
    );
    applyUpdate();
  }

  // --- The kiosk: one respondent at a time ------------------------------------------------------

  let idleWarn = null;
  let idleEnd = null;
  let countdown = null;

  function clearIdle() {
    clearTimeout(idleWarn);
    clearTimeout(idleEnd);
    clearInterval(countdown);
    idleWarn = idleEnd = countdown = null;
    overlay.hidden = true;
    overlay.replaceChildren();
  }

  // Three minutes without a touch or a key, and the unfinished response is discarded.
  function armIdle() {
    clearIdle();
    if (config.mode !== "station" || !respondent || respondent.done) return;
    const warning = Math.min(config.warning_seconds, config.idle_seconds);
    idleWarn = setTimeout(() => {
      let left = warning;
      const text = h("p", { id: "idle-text" }, t("idle_text", { seconds: left }));
      overlay.replaceChildren(
        h(
          "div",
          { class: "station-dialog", role: "alertdialog", "aria-labelledby": "idle-title", "aria-describedby": "idle-text" },
          h("h2", { id: "idle-title" }, t("idle_title")),
          text,
          h("button", { id: "idle-continue", type: "button", onclick: () => armIdle() }, t("idle_continue"))
        )
      );
      overlay.hidden = false;
      overlay.querySelector("button").focus();
      countdown = setInterval(() => {
        left = Math.max(0, left - 1);
        text.textContent = t("idle_text", { seconds: left });
      }, 1000);
    }, (config.idle_seconds - warning) * 1000);
    idleEnd = setTimeout(() => resetAll(), config.idle_seconds * 1000);
  }

  for (const kind of ["pointerdown", "keydown", "input", "touchstart", "wheel"]) {
    document.addEventListener(
      kind,
      () => {
        if (respondent && overlay.hidden) armIdle();
      },
      { capture: true, passive: true }
    );
  }

  // Nothing of this respondent stays: memory, page, history entry, session storage; then a
  // fresh page from the cache for the next person.
  function resetAll() {
    respondent = null;
    clearIdle();
    app.replaceChildren();
    try {
      sessionStorage.clear();
    } catch (error) {
      /* storage unavailable: nothing to clear */
    }
    history.replaceState(null, "", config.home);
    location.replace(config.home);
  }

  let kioskPackage = null;
  let onlinePackage = null;

  function labelOf(labels) {
    return core.label(labels, respondent ? respondent.language : uiLanguage, "");
  }

  function renderWelcome(pkg) {
    const languages = pkg.questionnaire.languages;
    const names = pkg.questionnaire.language_names || {};
    const handback =
      config.mode === "station"
        ? h(
            "p",
            { class: "handback" },
            h(
              "button",
              {
                id: "handback",
                type: "button",
                class: "link",
                onclick: (event) => {
                  event.target.replaceWith(
                    h("span", {}, t("handback_confirm"), " ", h("button", { id: "handback-yes", type: "button", class: "secondary", onclick: async () => {
                      await deleteSetting("kiosk");
                      resetAll();
                    } }, t("handback_yes")))
                  );
                },
              },
              t("handback")
            )
          )
        : null;
    show(
      "welcome",
      h("h1", {}, pkg.survey),
      h("p", { class: "station-lead" }, t("choose_language")),
      h(
        "ul",
        { class: "choices languages", id: "languages" },
        languages.map((code) =>
          h(
            "li",
            {},
            h("button", { type: "button", lang: code, class: "choice-button", dataset: { language: code }, onclick: () => startRespondent(pkg, code) }, names[code] || code)
          )
        )
      ),
      handback
    );
    applyUpdate();
  }

  function startRespondent(pkg, language) {
    respondent = { response_id: core.newResponseId(), language, group: null, answers: {}, page: -1, sealed: null };
    setUiLanguage(language);
    armIdle();
    renderStatement(pkg);
  }

  function renderStatement(pkg) {
    const statement = core.label(pkg.questionnaire.anonymity_statement, respondent.language, "");
    show(
      "statement",
      h("h1", {}, t("statement_title")),
      h("div", { id: "anonymity-statement", class: "statement" }, statement.split(/\n+/).map((line) => h("p", {}, line))),
      h("p", { class: "actions" }, h("button", { id: "statement-accept", type: "button", onclick: () => renderGroup(pkg) }, t("statement_accept")))
    );
  }

  function errorSummary(problems) {
    if (!problems.length) return null;
    return h(
      "div",
      { class: "error-summary", role: "alert", tabindex: "-1", id: "error-summary" },
      h("h2", {}, t("error_summary")),
      h("ul", {}, problems.map(([id, text]) => h("li", {}, h("a", { href: "#" + id }, text))))
    );
  }

  function renderGroup(pkg, problem) {
    const groups = core.leafGroups(pkg.groups);
    const byCode = new Map(pkg.groups.map((g) => [g.code, g]));
    const list = h(
      "div",
      { class: "choices", id: "groups", role: "radiogroup", "aria-labelledby": "group-title" },
      groups.map((group) => {
        const parent = group.parent ? byCode.get(group.parent) : null;
        const text = (parent ? labelOf(parent.labels) + " › " : "") + core.label(group.labels, respondent.language, group.code);
        return h(
          "label",
          { class: "choice", for: "group-" + group.code },
          h("input", { type: "radio", name: "group", id: "group-" + group.code, value: group.code, checked: respondent.group === group.code }),
          " ",
          text
        );
      })
    );
    show(
      "group",
      problem ? errorSummary([["groups", problem]]) : null,
      h("h1", { id: "group-title" }, t("group_title")),
      list,
      h(
        "p",
        { class: "actions" },
        h("button", { type: "button", class: "secondary", id: "back", onclick: () => renderStatement(pkg) }, t("back")),
        h(
          "button",
          {
            type: "button",
            id: "next",
            onclick: () => {
              const chosen = list.querySelector("input:checked");
              if (!chosen) return renderGroup(pkg, t("group_required"));
              respondent.group = chosen.value;
              goPage(pkg, 0, 1);
            },
          },
          t("next")
        )
      )
    );
  }

  function relevantPages(pkg) {
    const state = core.walk(pkg.questionnaire.items, respondent.answers);
    return core.pages(pkg.questionnaire.items).map((page) => page.items.some((item) => state.relevant[item.name]));
  }

  // The next page with something to show, from `index` in `direction`; -1 before the first.
  function goPage(pkg, index, direction) {
    const shown = relevantPages(pkg);
    let i = index;
    while (i >= 0 && i < shown.length && !shown[i]) i += direction;
    if (i < 0) return renderGroup(pkg);
    if (i >= shown.length) return renderSubmit(pkg);
    respondent.page = i;
    renderPage(pkg);
  }

  function choiceInputs(pkg, item, multiple) {
    const value = respondent.answers[item.name];
    const chosen = Array.isArray(value) ? value : value === undefined ? [] : [value];
    const all = pkg.questionnaire.choices[item.choice_list] || [];
    const option = (choice) =>
      h(
        "label",
        { class: "choice" + (choice.special ? " special" : ""), for: "input-" + item.name + "-" + choice.name },
        h("input", {
          type: multiple ? "checkbox" : "radio",
          name: item.name,
          id: "input-" + item.name + "-" + choice.name,
          value: choice.name,
          checked: chosen.includes(choice.name),
          dataset: { special: choice.special || "" },
        }),
        " ",
        core.label(choice.labels, respondent.language, choice.name)
      );
    return [
      h("div", { class: "choices" + (item.kind === "likert" ? " likert" : "") }, all.filter((c) => !c.special).map(option)),
      all.some((c) => c.special) ? h("div", { class: "choices specials" }, all.filter((c) => c.special).map(option)) : null,
    ];
  }

  function readItem(item, node) {
    if (item.kind === "single" || item.kind === "likert") {
      const chosen = node.querySelector("input:checked");
      return chosen ? chosen.value : null;
    }
    if (item.kind === "multiple") {
      const chosen = [...node.querySelectorAll("input:checked")].map((input) => input.value);
      return chosen.length ? chosen : null;
    }
    const input = node.querySelector("input, textarea");
    if (!input || input.value.trim() === "") return null;
    if (item.kind === "number") {
      const value = Number(input.value);
      return Number.isFinite(value) ? value : { invalid: input.value };
    }
    return input.value;
  }

  function renderItem(pkg, item) {
    const id = "item-" + item.name;
    const hint = core.label(item.hints, respondent.language, "");
    if (item.kind === "note") {
      return h("div", { class: "item note", id, dataset: { item: item.name } }, h("p", {}, labelOf(item.labels)), hint ? h("p", { class: "hint" }, hint) : null);
    }
    let control;
    if (item.kind === "likert" || item.kind === "single") control = choiceInputs(pkg, item, false);
    else if (item.kind === "multiple") control = [h("p", { class: "hint" }, t("choose_any")), ...choiceInputs(pkg, item, true)];
    else if (item.kind === "number") {
      const value = respondent.answers[item.name];
      control = h("input", { type: "number", step: "any", inputmode: "decimal", id: "input-" + item.name, value: typeof value === "number" ? value : "" });
    } else {
      control = h("textarea", { id: "input-" + item.name, rows: 3, maxlength: 500 });
      control.value = respondent.answers[item.name] || "";
    }
    return h(
      "fieldset",
      { class: "item", id, dataset: { item: item.name, kind: item.kind } },
      h("legend", {}, labelOf(item.labels), item.required ? h("span", { class: "required" }, " (" + t("required") + ")") : null),
      hint ? h("p", { class: "hint" }, hint) : null,
      h("p", { class: "item-error", id: id + "-error", hidden: true }),
      control
    );
  }

  function renderPage(pkg, problems) {
    const page = core.pages(pkg.questionnaire.items)[respondent.page];
    const shown = relevantPages(pkg);
    const number = shown.slice(0, respondent.page + 1).filter(Boolean).length;
    const nodes = page.items.map((item) => renderItem(pkg, item));
    const form = h("form", { id: "questions", novalidate: true, onsubmit: (event) => event.preventDefault() }, nodes);
    const refreshRelevance = () => {
      const state = core.walk(pkg.questionnaire.items, respondent.answers);
      page.items.forEach((item, i) => {
        nodes[i].hidden = !state.relevant[item.name];
      });
    };
    const record = (event) => {
      const node = event.target.closest && event.target.closest("[data-item]");
      if (!node) return;
      const item = page.items.find((it) => it.name === node.dataset.item);
      const value = readItem(item, node);
      if (value === null || (value && value.invalid !== undefined)) delete respondent.answers[item.name];
      else respondent.answers[item.name] = value;
      refreshRelevance();
    };
    form.addEventListener("input", record);
    form.addEventListener("change", record);
    refreshRelevance();
    for (const [name, text] of problems || []) {
      const error = form.querySelector("#item-" + CSS.escape(name) + "-error");
      if (error) {
        error.textContent = text;
        error.hidden = false;
        error.closest(".item").classList.add("has-error");
      }
    }
    show(
      "questions",
      problems && problems.length ? errorSummary(problems.map(([name, text]) => ["item-" + name, text])) : null,
      h("h1", { class: "page-count" }, t("question_of", { page: number, pages: shown.filter(Boolean).length })),
      form,
      h(
        "p",
        { class: "actions" },
        h("button", { type: "button", class: "secondary", id: "back", onclick: () => goPage(pkg, respondent.page - 1, -1) }, t("back")),
        h("button", { type: "button", id: "next", onclick: () => nextPage(pkg, page, nodes) }, t("next"))
      )
    );
  }

  function nextPage(pkg, page, nodes) {
    const problems = [];
    const state = core.walk(pkg.questionnaire.items, respondent.answers);
    page.items.forEach((item, i) => {
      if (item.kind === "note" || !state.relevant[item.name]) return;
      const value = readItem(item, nodes[i]);
      if (value && value.invalid !== undefined) problems.push([item.name, t("number_invalid")]);
      else if (item.kind === "text" && typeof value === "string" && [...value].length > 500) problems.push([item.name, t("text_too_long", { count: 500 })]);
      else if (item.required && core.isEmptyAnswer(value)) problems.push([item.name, t("required_missing")]);
    });
    if (problems.length) return renderPage(pkg, problems);
    goPage(pkg, respondent.page + 1, 1);
  }

  function renderSubmit(pkg, problem) {
    const button = h("button", { type: "button", id: "submit" }, t("submit"));
    const status = h("p", { id: "submit-status", class: "station-message", role: "status" }, problem || "");
    button.addEventListener("click", async () => {
      button.disabled = true;
      status.textContent = config.mode === "station" ? t("saving") : t("online_sending");
      if (config.mode === "station") await submitStation(pkg, status, button);
      else await submitOnline(pkg, status, button);
    });
    show(
      "submit",
      h("h1", {}, t("submit_title")),
      h("p", {}, t("submit_intro")),
      status,
      h(
        "p",
        { class: "actions" },
        h("button", { type: "button", class: "secondary", id: "back", onclick: () => goPage(pkg, core.pages(pkg.questionnaire.items).length - 1, -1) }, t("back")),
        button
      )
    );
  }

  // Missing answers (the walk may have changed) send the respondent back to them.
  function firstMissing(pkg) {
    const gaps = core.missing(pkg.questionnaire.items, respondent.answers);
    if (!gaps.length) return false;
    const pages = core.pages(pkg.questionnaire.items);
    respondent.page = pages.findIndex((page) => page.items.includes(gaps[0]));
    renderPage(pkg, [[gaps[0].name, t("required_missing")]]);
    return true;
  }

  async function submitStation(pkg, status, button) {
    if (firstMissing(pkg)) return;
    try {
      // Encrypted once: a second try after a failed write stores the same bytes.
      if (!respondent.sealed) respondent.sealed = await core.seal(pkg, respondent);
      const record = { ...respondent.sealed, wave: pkg.wave.id, state: "queued" };
      await store.transact(["responses"], "readwrite", (s) => {
        s.responses.add(record);
      });
    } catch (error) {
      status.textContent = t("save_failed");
      status.classList.add("error");
      button.disabled = false;
      return;
    }
    renderThanks(t("thanks_text"));
  }

  async function submitOnline(pkg, status, button) {
    if (firstMissing(pkg)) return;
    let token = "";
    try {
      token = sessionStorage.getItem(INVITATION_KEY) || "";
    } catch (error) {
      token = "";
    }
    try {
      if (!respondent.sealed) respondent.sealed = await core.seal(pkg, respondent);
    } catch (error) {
      status.textContent = t("check_encrypt_fail");
      button.disabled = false;
      return;
    }
    const body = { envelope: respondent.sealed, invitation: token || undefined };
    for (let attempt = 0; ; attempt++) {
      try {
        const reply = await call("POST", config.online.submit, body);
        if (reply.receipt.outcome === "rejected") throw new ServerError(503, "rejected", t("reason_server"));
        break;
      } catch (error) {
        if (error.code === "invitation_used" || error.code === "invitation_needed") {
          status.textContent = error.code === "invitation_used" ? t("online_invitation_used") : t("online_invitation_needed");
          return;
        }
        if (!error.retry && error.code !== "rejected") {
          status.textContent = t("online_refused", { reason: error.message });
          button.disabled = false;
          return;
        }
        status.textContent = t("online_retry");
        const delay = Math.min(60000, 1000 * 2 ** Math.min(attempt, 6));
        await sleep(delay / 2 + Math.random() * (delay / 2));
      }
    }
    renderThanks(t("online_thanks_text"));
  }

  function renderThanks(text) {
    // The answers are gone from memory now; what is left is cleared by resetAll().
    respondent = { done: true };
    clearIdle();
    show(
      "thanks",
      h("h1", {}, t("thanks_title")),
      h("p", {}, text),
      config.mode === "station" ? h("p", { class: "actions" }, h("button", { type: "button", id: "finish", onclick: () => resetAll() }, t("finish"))) : null
    );
    if (config.mode === "station") setTimeout(() => resetAll(), 10000);
    else {
      try {
        sessionStorage.clear();
      } catch (error) {
        /* nothing to clear */
      }
    }
  }

  // --- Starting ------------------------------------------------------------------------------------

  async function bootStation() {
    const enrolCode = /^#enrol=([A-Za-z0-9_-]{8,200})$/.exec(location.hash);
    if (location.hash) history.replaceState(null, "", config.home);
    registerWorker();
    setUiLanguage((await getSetting("ui_language")) || config.language);
    if (enrolCode) {
      const enrolled = await enrol(enrolCode[1]);
      if (!enrolled) return;
      try {
        await refresh();
      } catch (error) {
        notice += " " + t("refresh_failed", { reason: error.message });
      }
      return renderHome();
    }
    if (!(await getSetting("token"))) {
      return show("not-enrolled", h("h1", {}, t("enrol_title")), message(t("not_enrolled")), h("p", {}, t("enrol_intro")));
    }
    const kiosk = await getSetting("kiosk");
    if (kiosk) {
      const result = await runChecks(kiosk, null, null);
      const wave = await waveOf(kiosk);
      if (result.passed && wave && wave.status === "open") {
        kioskPackage = result.pkg;
        return renderWelcome(kioskPackage);
      }
      await deleteSetting("kiosk");
      return renderReadiness(kiosk);
    }
    await renderHome();
    if (navigator.onLine) {
      refresh().then(
        () => settledOn("home") && renderHome(),
        () => null
      );
    }
  }

  async function bootOnline() {
    const online = config.online;
    const params = new URLSearchParams(location.search);
    try {
      if (params.get("t")) sessionStorage.setItem(INVITATION_KEY, params.get("t"));
    } catch (error) {
      /* without session storage the token lives only in this page */
    }
    let token = params.get("t") || "";
    try {
      token = token || sessionStorage.getItem(INVITATION_KEY) || "";
    } catch (error) {
      /* idem */
    }
    // The token leaves the address bar (and so the history) at once.
    if (location.search) history.replaceState(null, "", config.home);
    if (online.refusal && !(online.refusal === "online_invitation_needed" && token)) {
      return show("refused", h("h1", {}, t("online_title")), message(t(online.refusal), "error"));
    }
    try {
      const response = await fetch(online.package, { cache: "no-store", credentials: "omit" });
      if (!response.ok) throw new Error(String(response.status));
      onlinePackage = new TextDecoder().decode(new Uint8Array(await response.arrayBuffer()));
    } catch (error) {
      return show("refused", h("h1", {}, t("online_title")), message(t("online_closed"), "error"));
    }
    const result = await runChecks(online.wave, online.checksum, null);
    if (!result.passed) {
      return show("refused", h("h1", {}, t("online_title")), message(t("check_encrypt_fail"), "error"));
    }
    renderWelcome(result.pkg);
  }

  window.addEventListener("online", () => {
    showNetwork();
    if (config.mode === "station") setTimeout(sync, 2000 + Math.random() * 3000);
  });
  window.addEventListener("offline", showNetwork);
  showNetwork();

  // For tests and the supervisor's checks: how many responses in each state, never their content.
  window.arushaStation = Object.freeze({
    mode: config.mode,
    version: config.version,
    counts: () => (config.mode === "station" ? counts() : Promise.resolve({})),
    screen: () => app.dataset.screen,
    answering: () => respondent !== null && !respondent.done,
    sync: () => (config.mode === "station" ? sync() : Promise.resolve("")),
  });

  if (config.mode === "station") {
    setInterval(() => {
      if (navigator.onLine) sync();
    }, 5 * 60 * 1000);
    bootStation().catch((error) => show("error", h("h1", {}, t("app_title")), message(error.message, "error")));
  } else {
    bootOnline().catch((error) => show("error", h("h1", {}, t("online_title")), message(error.message, "error")));
  }
})();
