/*
 * The survey station's service worker (served by Django at /station/sw.js, which puts
 * self.ARUSHA_SHELL = {version, scope, api, assets} before this text).
 *
 * - Install: cache the shell (page, script, style, manifest, icons) under its version.
 * - Fetch: the shell from the cache first, so the station opens with no network for days;
 *   the API always from the network (never cached: it carries tokens and receipts).
 * - Update: a new version installs and then WAITS. It never calls skipWaiting() on its
 *   own: the page asks it to take over (message "activate") only when no respondent is
 *   answering (station.js applyUpdate). Questionnaire packages and queued responses
 *   live in IndexedDB, which a new version keeps.
 */
/* global ARUSHA_SHELL */
"use strict";

const SHELL = self.ARUSHA_SHELL;
const PREFIX = "arusha-station-shell-";
const CACHE = PREFIX + SHELL.version;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL.assets.map((url) => new Request(url, { cache: "reload", credentials: "omit" }))))
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith(PREFIX) && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "activate") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(SHELL.api)) return; // network only
  if (request.mode === "navigate" && url.pathname === SHELL.scope) {
    event.respondWith(
      caches.open(CACHE).then((cache) => cache.match(SHELL.scope, { ignoreSearch: true }).then((hit) => hit || fetch(request)))
    );
    return;
  }
  if (SHELL.assets.includes(url.pathname)) {
    event.respondWith(caches.open(CACHE).then((cache) => cache.match(url.pathname).then((hit) => hit || fetch(request))));
  }
});
