/*
 * Arusha survey station: what the station keeps and sends, without a screen (station.js
 * draws the screens). docs/surveys-station.md.
 *
 * - IndexedDB "arusha-station": settings (token, station, manifest, kiosk wave…),
 *   packages (a wave's questionnaire, kept only when its bytes give the manifest's
 *   checksum) and responses ({response_id, wave, digest, ciphertext, state}; states
 *   queued -> sent -> verified, or conflict). No answer in clear is ever stored.
 * - The server: the station API with its bearer token, retried with exponential
 *   back-off and jitter when there is no answer or a server error.
 * - Synchronisation in batches, verification, removal of verified responses, and the
 *   bundle file for USB transport.
 *
 * createStore(config, {t, busy}): `t` gives the app's sentences; `busy()` says whether a
 * respondent is answering (then a database upgrade from a newer tab waits for a reload).
 */
(function (root) {
  "use strict";

  function createStore(config, options) {
    const core = root.arushaCore;
    const t = options.t;
    const busy = options.busy;
    // --- IndexedDB ---------------------------------------------------------------------------

    const DB_NAME = "arusha-station";
    // Raise it with a new step in upgrade(); never remove or recreate a store there.
    const DB_VERSION = 1;
    let dbPromise = null;

    function upgrade(db, oldVersion) {
      // Each step runs once, in order, and only adds: responses queued by an older version
      // of the app are still there after any update.
      if (oldVersion < 1) {
        db.createObjectStore("settings");
        db.createObjectStore("packages", { keyPath: "wave" });
        const responses = db.createObjectStore("responses", { keyPath: "response_id" });
        responses.createIndex("state", "state");
        responses.createIndex("wave", "wave");
      }
      // if (oldVersion < 2) { ... add a store or an index ... }
    }

    function openDb() {
      if (!dbPromise) {
        dbPromise = new Promise((resolve, reject) => {
          const request = indexedDB.open(DB_NAME, DB_VERSION);
          request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion);
          request.onsuccess = () => {
            const db = request.result;
            // A newer version of the app (another tab) wants to upgrade: let it, and reload
            // unless a respondent is answering (then later, when they are done).
            db.onversionchange = () => {
              db.close();
              dbPromise = null;
              if (!busy()) location.reload();
            };
            resolve(db);
          };
          request.onerror = () => reject(request.error);
          request.onblocked = () => reject(new Error("blocked"));
        });
      }
      return dbPromise;
    }

    function done(request) {
      return new Promise((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }

    // Run `work(stores)` in one transaction; resolves with its result once the transaction completes.
    // Writes ask for strict durability: "complete" then means flushed to disk, so a response
    // thanked for survives a power cut, not only a crash of the browser.
    async function transact(names, mode, work) {
      const db = await openDb();
      return new Promise((resolve, reject) => {
        const tx = mode === "readwrite" ? db.transaction(names, mode, { durability: "strict" }) : db.transaction(names, mode);
        const stores = {};
        for (const name of names) stores[name] = tx.objectStore(name);
        let result;
        tx.oncomplete = () => resolve(result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error || new Error("aborted"));
        Promise.resolve(work(stores, tx)).then(
          (value) => {
            result = value;
          },
          (error) => {
            try {
              tx.abort();
            } catch (ignored) {
              /* already finished */
            }
            reject(error);
          }
        );
      });
    }

    function getSetting(key) {
      return transact(["settings"], "readonly", (s) => done(s.settings.get(key)));
    }

    function setSetting(key, value) {
      return transact(["settings"], "readwrite", (s) => {
        s.settings.put(value, key);
      });
    }

    function deleteSetting(key) {
      return transact(["settings"], "readwrite", (s) => {
        s.settings.delete(key);
      });
    }

    function getPackage(wave) {
      return transact(["packages"], "readonly", (s) => done(s.packages.get(wave)));
    }

    function allResponses() {
      return transact(["responses"], "readonly", (s) => done(s.responses.getAll()));
    }

    async function counts() {
      const out = {};
      for (const record of await allResponses()) {
        const row = out[record.wave] || (out[record.wave] = { queued: 0, sent: 0, verified: 0, conflict: 0 });
        row[record.state] = (row[record.state] || 0) + 1;
      }
      return out;
    }

    function today() {
      const now = new Date();
      return [now.getFullYear(), String(now.getMonth() + 1).padStart(2, "0"), String(now.getDate()).padStart(2, "0")].join("-");
    }

    // --- The server ------------------------------------------------------------------------------

    class ServerError extends Error {
      constructor(status, code, text) {
        super(text || code || String(status));
        this.status = status;
        this.code = code;
        // Worth trying again: no answer, a server error, too many requests.
        this.retry = status === 0 || status >= 500 || status === 429;
      }
    }

    async function call(method, url, body, token) {
      const headers = { Accept: "application/json" };
      if (token) headers.Authorization = "Bearer " + token;
      if (body !== undefined) headers["Content-Type"] = "application/json";
      let response;
      try {
        response = await fetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          cache: "no-store",
          credentials: "omit",
          referrerPolicy: "no-referrer",
        });
      } catch (error) {
        throw new ServerError(0, "network", t("reason_network"));
      }
      let data = null;
      try {
        data = await response.json();
      } catch (error) {
        data = null;
      }
      if (!response.ok) {
        throw new ServerError(
          response.status,
          data && data.error,
          (data && data.message) || (response.status >= 500 ? t("reason_server") : String(response.status))
        );
      }
      return data;
    }

    function sleep(ms) {
      return new Promise((resolve) => setTimeout(resolve, ms));
    }

    // Exponential back-off with jitter: 1 s, 2 s, 4 s … (at most a minute), half of it random.
    async function withRetry(work, attempts) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await work();
        } catch (error) {
          if (!(error instanceof ServerError) || !error.retry || attempt + 1 >= attempts) throw error;
          const delay = Math.min(60000, 1000 * 2 ** attempt);
          await sleep(delay / 2 + Math.random() * (delay / 2));
        }
      }
    }

    async function stationCall(method, url, body) {
      const token = await getSetting("token");
      try {
        return await call(method, url, body, token);
      } catch (error) {
        if (error instanceof ServerError && error.status === 401) await setSetting("refused", true);
        throw error;
      }
    }

    // --- Enrolment, waves and packages -------------------------------------------------------

    // Fetch the manifest and every package whose checksum changed; a package is kept only
    // if its bytes give the manifest's checksum.
    async function refresh() {
      const manifest = await withRetry(() => stationCall("GET", config.api.manifest), 3);
      const token = await getSetting("token");
      for (const wave of manifest.waves) {
        const stored = await getPackage(wave.id);
        if (stored && stored.checksum === wave.checksum) continue;
        const bytes = await withRetry(async () => {
          let response;
          try {
            response = await fetch(wave.package, {
              headers: { Authorization: "Bearer " + token },
              cache: "no-store",
              credentials: "omit",
            });
          } catch (error) {
            throw new ServerError(0, "network", t("reason_network"));
          }
          if (!response.ok) throw new ServerError(response.status, "package", t("reason_server"));
          return new Uint8Array(await response.arrayBuffer());
        }, 3);
        const checksum = await core.sha256Hex(bytes);
        if (checksum !== wave.checksum) throw new Error(t("check_package_fail"));
        const text = new TextDecoder().decode(bytes);
        await transact(["packages"], "readwrite", (s) => {
          s.packages.put({ wave: wave.id, checksum, text });
        });
      }
      await transact(["settings"], "readwrite", (s) => {
        s.settings.put(manifest, "manifest");
        s.settings.put({ name: manifest.station, organization: manifest.organization }, "station");
        s.settings.delete("refused");
      });
      return manifest;
    }

    async function waveOf(id) {
      const manifest = (await getSetting("manifest")) || { waves: [] };
      return manifest.waves.find((wave) => wave.id === id) || null;
    }

    async function packageOf(id) {
      const stored = await getPackage(id);
      return stored ? JSON.parse(stored.text) : null;
    }

    // --- Synchronisation -----------------------------------------------------------------------

    function chunks(list, size) {
      const out = [];
      for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
      return out;
    }

    // Move records to their new state, only if they still hold the same bytes.
    function applyStates(changes) {
      return transact(["responses"], "readwrite", async (s) => {
        for (const [id, digest, state] of changes) {
          const record = await done(s.responses.get(id));
          if (!record || record.digest !== digest) continue;
          record.state = state;
          if (state === "verified") record.day = today();
          else delete record.day;
          s.responses.put(record);
        }
      });
    }

    async function doSync() {
      const totals = { sent: 0, verified: 0 };
      const records = await allResponses();
      const waves = [...new Set(records.filter((r) => r.state === "queued" || r.state === "sent").map((r) => r.wave))];
      for (const wave of waves) {
        const queued = records.filter((r) => r.wave === wave && r.state === "queued");
        for (const batch of chunks(queued, config.batch)) {
          const body = {
            wave,
            envelopes: batch.map((r) => ({ response_id: r.response_id, digest: r.digest, ciphertext: r.ciphertext })),
          };
          const reply = await withRetry(() => stationCall("POST", config.api.envelopes, body), 6);
          const byId = new Map(batch.map((r) => [r.response_id, r]));
          const changes = [];
          for (const receipt of reply.receipts) {
            const record = byId.get(receipt.response_id);
            if (!record) continue;
            if (receipt.outcome === "stored" || receipt.outcome === "duplicate") {
              changes.push([record.response_id, record.digest, "sent"]);
              totals.sent++;
            } else if (receipt.outcome === "conflict") {
              changes.push([record.response_id, record.digest, "conflict"]);
            }
            // "rejected": stays queued and is sent again next time.
          }
          await applyStates(changes);
        }
        const sent = (await allResponses()).filter((r) => r.wave === wave && r.state === "sent");
        for (const batch of chunks(sent, 500)) {
          const body = { wave, pairs: batch.map((r) => ({ response_id: r.response_id, digest: r.digest })) };
          const reply = await withRetry(() => stationCall("POST", config.api.verify, body), 6);
          const changes = batch.map((r) => {
            const held = reply.held[r.response_id] === true;
            if (held) totals.verified++;
            return [r.response_id, r.digest, held ? "verified" : "queued"];
          });
          await applyStates(changes);
        }
      }
      return totals;
    }

    async function purgeVerified() {
      return transact(["responses"], "readwrite", async (s) => {
        const keys = await done(s.responses.index("state").getAllKeys("verified"));
        for (const key of keys) s.responses.delete(key);
        return keys.length;
      });
    }

    // The bundle file for USB transport (format: docs/surveys-station.md); nothing is removed.
    async function exportUnsent() {
      const records = (await allResponses()).filter((r) => r.state === "queued" || r.state === "sent");
      if (!records.length) return t("export_none");
      const exports = (await getSetting("exports")) || {};
      const day = today().split("-").join("");
      const files = [];
      for (const wave of [...new Set(records.map((r) => r.wave))]) {
        const pkg = await packageOf(wave);
        const previous = exports[wave] && exports[wave].day === day ? exports[wave].n : 0;
        const n = previous + 1;
        exports[wave] = { day, n };
        const bundle = {
          format: "arusha-survey-bundle",
          version: 1,
          wave,
          fingerprint: pkg ? pkg.key.fingerprint : "",
          envelopes: records
            .filter((r) => r.wave === wave)
            .map((r) => ({ response_id: r.response_id, digest: r.digest, ciphertext: r.ciphertext })),
        };
        const name = "arusha-survey-" + wave + "-" + day + "-" + n + ".json";
        const url = URL.createObjectURL(new Blob([JSON.stringify(bundle)], { type: "application/json" }));
        const link = document.createElement("a");
        link.href = url;
        link.download = name;
        link.hidden = true;
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
        files.push(name);
      }
      await setSetting("exports", exports);
      return t("export_done", { count: records.length, file: files.join(", ") });
    }

    async function checkPersist() {
      if (!navigator.storage || !navigator.storage.persist) return false;
      return (await navigator.storage.persisted()) || (await navigator.storage.persist());
    }

    async function checkStorage() {
      const probe = core.b64encode(crypto.getRandomValues(new Uint8Array(16)));
      await setSetting("probe", probe);
      const read = await getSetting("probe");
      await deleteSetting("probe");
      return read === probe && (await getSetting("probe")) === undefined;
    }

    async function checkEncrypt(pkg) {
      const body = { probe: core.newResponseId() };
      const envelope = await core.encryptEnvelope(pkg.key.spki, body);
      return envelope.bytes.length === core.WRAPPED_BYTES + core.NONCE_BYTES + envelope.bodyLength + 16;
    }

    async function freeMb() {
      if (!navigator.storage || !navigator.storage.estimate) return 0;
      const estimate = await navigator.storage.estimate();
      return Math.floor(((estimate.quota || 0) - (estimate.usage || 0)) / 1e6);
    }

    // Store a fresh enrolment: the station's token and name; the device leaves any kiosk.
    async function enrolWith(code) {
      const reply = await withRetry(() => call("POST", config.api.enrol, { code }), 3);
      await transact(["settings"], "readwrite", (s) => {
        s.settings.put(reply.token, "token");
        s.settings.put({ name: reply.station, organization: reply.organization }, "station");
        s.settings.delete("refused");
        s.settings.delete("kiosk");
      });
      return reply;
    }

    return Object.freeze({
      ServerError,
      transact,
      getSetting,
      setSetting,
      deleteSetting,
      getPackage,
      allResponses,
      counts,
      call,
      sleep,
      withRetry,
      enrolWith,
      refresh,
      waveOf,
      packageOf,
      doSync,
      purgeVerified,
      exportUnsent,
      checkPersist,
      checkStorage,
      checkEncrypt,
      freeMb,
    });
  }

  root.arushaStore = Object.freeze({ createStore });
})(window);
