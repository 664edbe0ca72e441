/*
 * Arusha survey station: the parts without a screen, shared by station.js and the tests.
 *
 * - Relevance: the same answers as arusha/surveys/relevance.py, rule for rule. A tree is
 *   ["or", a, b] | ["and", a, b] | ["not", a] | ["cmp", op, left, right] |
 *   ["selected", name, value]; an operand is ["ref", name] | ["lit", value]. An unanswered
 *   reference is empty: comparisons with it are false, except "!=" a value. Numbers compare
 *   as numbers when both sides read as numbers (Python's float()), otherwise as text.
 * - The walk over items that arusha/surveys/form.py check() makes: an item's relevance is
 *   evaluated with the answers of the relevant items before it; skipped items are dropped.
 * - Envelopes, as arusha/surveys/keys.py reads them: 384 bytes of RSA-OAEP (SHA-256)
 *   wrapped AES-256 key | 12-byte nonce | AES-GCM ciphertext and tag of the UTF-8 JSON.
 *
 * Web Crypto only; no library. Works in browsers (window.arushaCore) and in Node (tests).
 */
(function (root) {
  "use strict";

  // --- Python's values, as relevance.py sees them ---------------------------------------

  const FLOAT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
  const SPECIAL_FLOAT = /^([+-]?)(inf|infinity|nan)$/i;

  function isEmptyString(value) {
    return typeof value === "string" && value.length === 0;
  }

  // float(value) in Python, or null when it raises (relevance.py _number).
  function pyNumber(value) {
    if (typeof value === "boolean" || value === null || value === undefined) return null;
    if (typeof value === "number") return value;
    if (typeof value !== "string") return null;
    const text = value.trim();
    if (FLOAT.test(text)) return Number(text.replace(/_/g, ""));
    const special = SPECIAL_FLOAT.exec(text);
    if (special) {
      if (special[2].toLowerCase() === "nan") return NaN;
      return special[1] === "-" ? -Infinity : Infinity;
    }
    return null;
  }

  function pyRepr(value) {
    if (typeof value === "string") {
      const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
      let out = value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
      if (quote === "'") out = out.replace(/'/g, "\\'");
      return quote + out + quote;
    }
    return pyStr(value);
  }

  // str(value) in Python, for the values answers and literals hold.
  function pyStr(value) {
    if (value === null || value === undefined) return "None";
    if (typeof value === "boolean") return value ? "True" : "False";
    if (typeof value === "number") {
      if (Number.isNaN(value)) return "nan";
      if (value === Infinity) return "inf";
      if (value === -Infinity) return "-inf";
      return String(value);
    }
    if (Array.isArray(value)) return "[" + value.map(pyRepr).join(", ") + "]";
    return String(value);
  }

  // left == right in Python.
  function pyEqual(left, right) {
    const absent = (v) => v === null || v === undefined;
    if (absent(left) || absent(right)) return absent(left) && absent(right);
    const numeric = (v) => typeof v === "number" || typeof v === "boolean";
    if (numeric(left) && numeric(right)) return Number(left) === Number(right);
    if (Array.isArray(left) && Array.isArray(right)) {
      return left.length === right.length && left.every((item, i) => pyEqual(item, right[i]));
    }
    if (typeof left === "string" && typeof right === "string") return left === right;
    return false;
  }

  function order(operator, x, y) {
    switch (operator) {
      case "=":
        return x === y;
      case "!=":
        return x !== y;
      case ">":
        return x > y;
      case ">=":
        return x >= y;
      case "<":
        return x < y;
      case "<=":
        return x <= y;
      default:
        throw new Error("Unknown operator " + operator);
    }
  }

  function compare(operator, left, right) {
    const empty = (v) => v === null || v === undefined || isEmptyString(v);
    if (empty(left) || empty(right)) return operator === "!=" && !pyEqual(left, right);
    const a = pyNumber(left);
    const b = pyNumber(right);
    if (a !== null && b !== null) {
      // NaN compares as Python does: every order false, != true.
      return operator === "!=" ? !(a === b) : order(operator, a, b);
    }
    const x = pyStr(left);
    const y = pyStr(right);
    // Python compares text by code point; JavaScript by UTF-16 unit: the same order
    // except between astral characters and U+E000..U+FFFF, which questionnaires do not use.
    return order(operator, x, y);
  }

  function operand(tree, answers) {
    if (tree[0] === "ref") return Object.prototype.hasOwnProperty.call(answers, tree[1]) ? answers[tree[1]] : null;
    return tree[1];
  }

  function evaluate(tree, answers) {
    if (tree === null || tree === undefined) return true;
    const head = tree[0];
    if (head === "or") return evaluate(tree[1], answers) || evaluate(tree[2], answers);
    if (head === "and") return evaluate(tree[1], answers) && evaluate(tree[2], answers);
    if (head === "not") return !evaluate(tree[1], answers);
    if (head === "selected") {
      const chosen = Object.prototype.hasOwnProperty.call(answers, tree[1]) ? answers[tree[1]] : null;
      const wanted = pyStr(tree[2]);
      if (Array.isArray(chosen)) return chosen.some((c) => pyStr(c) === wanted);
      return chosen !== null && chosen !== undefined && pyStr(chosen) === wanted;
    }
    if (head === "cmp") return compare(tree[1], operand(tree[2], answers), operand(tree[3], answers));
    throw new Error("Unknown expression");
  }

  // --- The questionnaire walk (form.py check) --------------------------------------------

  function isEmptyAnswer(value) {
    return value === null || value === undefined || isEmptyString(value) || (Array.isArray(value) && value.length === 0);
  }

  // {name: relevant?} for every item, and the answers that count (skipped ones dropped).
  function walk(items, given) {
    const seen = {};
    const relevant = {};
    for (const item of items) {
      const isRelevant = evaluate(item.relevance_tree, seen);
      relevant[item.name] = isRelevant;
      if (item.kind === "note") continue;
      const value = Object.prototype.hasOwnProperty.call(given, item.name) ? given[item.name] : null;
      if (isEmptyAnswer(value) || !isRelevant) continue;
      seen[item.name] = value;
    }
    return { relevant, answers: seen };
  }

  // The items that are relevant, required and unanswered, in order.
  function missing(items, given) {
    const state = walk(items, given);
    return items.filter(
      (item) =>
        item.kind !== "note" &&
        item.required &&
        state.relevant[item.name] &&
        isEmptyAnswer(Object.prototype.hasOwnProperty.call(given, item.name) ? given[item.name] : null)
    );
  }

  // Consecutive items of the same block make one screen.
  function pages(items) {
    const out = [];
    for (const item of items) {
      const last = out[out.length - 1];
      if (last && last.block === item.block) last.items.push(item);
      else out.push({ block: item.block, items: [item] });
    }
    return out;
  }

  // The groups a respondent picks from: those without subgroups, with their parent's code.
  function leafGroups(groups) {
    const parents = new Set(groups.map((g) => g.parent).filter((p) => p));
    return groups.filter((g) => !parents.has(g.code));
  }

  function label(labels, language, fallback) {
    if (!labels) return fallback || "";
    if (labels[language]) return labels[language];
    const first = Object.keys(labels).find((key) => labels[key]);
    return first ? labels[first] : fallback || "";
  }

  function buildPayload(pkg, respondent) {
    return {
      response_id: respondent.response_id,
      questionnaire: pkg.questionnaire.number,
      group: respondent.group,
      language: respondent.language,
      answers: walk(pkg.questionnaire.items, respondent.answers).answers,
    };
  }

  // --- Bytes, digests, envelopes -----------------------------------------------------------

  function subtle() {
    const c = root.crypto || (typeof globalThis !== "undefined" ? globalThis.crypto : undefined);
    if (!c || !c.subtle) throw new Error("Web Crypto is not available (HTTPS is needed)");
    return c.subtle;
  }

  function randomBytes(count) {
    const bytes = new Uint8Array(count);
    (root.crypto || globalThis.crypto).getRandomValues(bytes);
    return bytes;
  }

  function b64encode(bytes) {
    const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    let text = "";
    for (let i = 0; i < view.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, view.subarray(i, i + 0x8000));
    }
    return btoa(text);
  }

  function b64decode(text) {
    const raw = atob(text);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function sha256Hex(data) {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    return hex(await subtle().digest("SHA-256", bytes));
  }

  const WRAPPED_BYTES = 384;
  const NONCE_BYTES = 12;

  async function importWaveKey(spkiB64) {
    return subtle().importKey("spki", b64decode(spkiB64), { name: "RSA-OAEP", hash: "SHA-256" }, false, [
      "encrypt",
    ]);
  }

  // The envelope of `payload` for the wave's public key: made once per response.
  async function encryptEnvelope(spkiB64, payload) {
    const wave = await importWaveKey(spkiB64);
    const key = await subtle().generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"]);
    const raw = await subtle().exportKey("raw", key);
    const wrapped = new Uint8Array(await subtle().encrypt({ name: "RSA-OAEP" }, wave, raw));
    const nonce = randomBytes(NONCE_BYTES);
    const body = new TextEncoder().encode(JSON.stringify(payload));
    const sealed = new Uint8Array(await subtle().encrypt({ name: "AES-GCM", iv: nonce }, key, body));
    const out = new Uint8Array(wrapped.length + nonce.length + sealed.length);
    out.set(wrapped, 0);
    out.set(nonce, wrapped.length);
    out.set(sealed, wrapped.length + nonce.length);
    return { bytes: out, bodyLength: body.length };
  }

  // A whole envelope for the station's queue or the online survey: {response_id, digest, ciphertext}.
  async function seal(pkg, respondent) {
    const payload = buildPayload(pkg, respondent);
    const envelope = await encryptEnvelope(pkg.key.spki, payload);
    return {
      response_id: respondent.response_id,
      digest: await sha256Hex(envelope.bytes),
      ciphertext: b64encode(envelope.bytes),
    };
  }

  function newResponseId() {
    const c = root.crypto || globalThis.crypto;
    if (c.randomUUID) return c.randomUUID();
    const b = randomBytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = hex(b);
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  const api = Object.freeze({
    evaluate,
    walk,
    missing,
    pages,
    leafGroups,
    label,
    buildPayload,
    isEmptyAnswer,
    b64encode,
    b64decode,
    sha256Hex,
    encryptEnvelope,
    seal,
    newResponseId,
    WRAPPED_BYTES,
    NONCE_BYTES,
  });
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.arushaCore = api;
})(typeof window !== "undefined" ? window : globalThis);
