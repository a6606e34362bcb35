// Offline study on this device (app/offline): registers the service worker (/sw.js, built on
// Workbox), saves pages and downloads video lessons into Cache Storage when the member asks, lists
// them on "On this device" with their size and removal, and uploads the play logs the offline player
// recorded once the network is back. The server decides what counts (app/offline/services.py).
(function () {
  "use strict";

  const PAGES = "offline-pages"; // the service worker serves these when the network does not answer
  const MEDIA = "offline-media"; // downloaded 360p videos, served from the device in byte ranges
  const INDEX_KEY = "offline.items"; // {url: {kind, title, url, savedAt, lessonId, videoUrl, grant, ...}}
  const LOG_PREFIX = "offline.log."; // + the grant: {grant, lessonId, title, log_id, plays: [...]}
  const RESULTS_KEY = "offline.results"; // the latest upload outcomes, shown on "On this device"
  const UPLOAD_URL = "/api/v1/offline/uploads";
  const supported = "caches" in window && "serviceWorker" in navigator;

  function read(key, fallback) {
    try {
      const value = window.localStorage.getItem(key);
      return value ? JSON.parse(value) : fallback;
    } catch (error) {
      return fallback;
    }
  }
  function write(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, JSON.stringify(value));
    } catch (error) {
      // Storage full or disabled: nothing kept.
    }
  }
  function logKeys() {
    const keys = [];
    for (let i = 0; i < window.localStorage.length; i += 1) {
      const key = window.localStorage.key(i);
      if (key && key.indexOf(LOG_PREFIX) === 0) keys.push(key);
    }
    return keys;
  }
  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }
  // Shared with offline-player.js, which records the plays.
  window.partySchoolOffline = { read: read, write: write, INDEX_KEY: INDEX_KEY, LOG_PREFIX: LOG_PREFIX };

  if (supported) {
    navigator.serviceWorker.register("/sw.js").catch(function () {
      // Not installable here (an insecure origin): the site works as before.
    });
  }

  function remember(entry) {
    const index = read(INDEX_KEY, {});
    index[entry.url] = entry;
    write(INDEX_KEY, index);
  }

  function saved(button, ok) {
    button.textContent = ok ? button.dataset.savedLabel : button.dataset.failedLabel;
    button.disabled = ok;
    button.dataset.state = ok ? "saved" : "failed";
  }

  function savePage(button) {
    const url = button.dataset.url;
    caches
      .open(PAGES)
      .then(function (cache) { return cache.add(url); })
      .then(function () {
        remember({ kind: button.dataset.kind, title: button.dataset.title, url: url, savedAt: Date.now() });
        saved(button, true);
      })
      .catch(function () { saved(button, false); });
  }

  function downloadLesson(button) {
    button.disabled = true;
    button.textContent = button.dataset.workingLabel;
    fetch(button.dataset.grantUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ lesson_id: parseInt(button.dataset.lessonId, 10) }),
      credentials: "same-origin",
    })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (grant) {
        return Promise.all([
          caches.open(MEDIA).then(function (cache) { return cache.add(grant.video_url); }),
          caches.open(PAGES).then(function (cache) { return cache.add(grant.player_url); }),
        ]).then(function () { return grant; });
      })
      .then(function (grant) {
        remember({
          kind: "lesson",
          title: grant.title,
          url: grant.player_url,
          videoUrl: grant.video_url,
          lessonId: grant.lesson_id,
          grant: grant.grant,
          expiresAt: grant.expires_at,
          creditAllowed: grant.credit_allowed,
          savedAt: Date.now(),
        });
        saved(button, true);
      })
      .catch(function () { saved(button, false); });
  }

  // --- uploading the offline player's logs -------------------------------------------------------
  let uploading = false;

  function uploadOne(key) {
    const log = read(key, null);
    if (!log || !log.plays || !log.plays.length) return Promise.resolve();
    const sent = log.plays.length;
    return fetch(UPLOAD_URL, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({
        grant: log.grant,
        log_id: log.log_id,
        plays: log.plays,
        device_time: new Date().toISOString(),
      }),
      credentials: "same-origin",
    }).then(function (response) {
      // Signed out (401), a stale page's CSRF token (400) or too many calls (429): try again later.
      if (response.status === 400 || response.status === 401 || response.status === 429) return;
      return response.json().then(function (answer) {
        if (answer.error === "concurrent") return; // a heartbeat of the member's got in first: later
        const results = read(RESULTS_KEY, []);
        results.unshift({
          title: log.title,
          status: response.ok ? answer.status : "refused",
          reason: response.ok ? "" : answer.error,
          at: Date.now(),
        });
        write(RESULTS_KEY, results.slice(0, 20));
        // Counted or refused (and kept by the server with its reason): this log is done. Plays
        // recorded while it was on its way start a new log.
        const now = read(key, null);
        const rest = now && now.log_id === log.log_id ? now.plays.slice(sent) : now ? now.plays : [];
        write(key, rest.length ? Object.assign({}, log, { log_id: newLogId(), plays: rest }) : null);
      });
    });
  }

  function uploadLogs() {
    if (uploading || !navigator.onLine) return Promise.resolve();
    uploading = true;
    let chain = Promise.resolve();
    logKeys().forEach(function (key) {
      chain = chain.then(function () { return uploadOne(key); });
    });
    return chain
      .catch(function () {
        // The network went away again: the logs stay for the next time.
      })
      .then(function () {
        uploading = false;
        renderResults();
      });
  }

  function newLogId() {
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  window.partySchoolOffline.newLogId = newLogId;
  window.partySchoolOffline.uploadLogs = uploadLogs;

  // --- "On this device" ----------------------------------------------------------------------------
  function sizeOf(cacheName, url) {
    return caches
      .open(cacheName)
      .then(function (cache) { return cache.match(url, { ignoreVary: true }); })
      .then(function (response) {
        if (!response) return 0;
        const length = parseInt(response.headers.get("Content-Length"), 10);
        return length > 0 ? length : response.blob().then(function (blob) { return blob.size; });
      });
  }

  function formatSize(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + " MB";
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function cell(text) {
    const td = document.createElement("td");
    if (text !== undefined) td.textContent = text;
    return td;
  }

  function renderList() {
    const list = document.querySelector("[data-offline-list]");
    if (!list) return;
    const rows = list.querySelector("[data-offline-rows]");
    const total = list.querySelector("[data-offline-total]");
    rows.textContent = "";
    if (!supported) {
      total.textContent = list.dataset.unsupportedLabel;
      return;
    }
    const items = Object.values(read(INDEX_KEY, {}));
    if (!items.length) {
      total.textContent = list.dataset.emptyLabel;
      return;
    }
    const pending = {};
    logKeys().forEach(function (key) {
      const log = read(key, null);
      if (log && log.plays && log.plays.length) pending[log.lessonId] = true;
    });
    const sizes = items.map(function (item) {
      const row = document.createElement("tr");
      row.setAttribute("data-testid", "offline-item");
      row.dataset.url = item.url;
      const title = cell();
      const link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title;
      title.appendChild(link);
      if (item.kind === "lesson" && pending[item.lessonId]) {
        const note = document.createElement("span");
        note.className = "muted small";
        note.textContent = " · " + list.dataset.pendingLabel;
        title.appendChild(note);
      }
      const size = cell("…");
      size.setAttribute("data-testid", "offline-size");
      const actions = cell();
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link-button";
      remove.textContent = list.dataset.removeLabel;
      remove.setAttribute("data-testid", "offline-remove");
      remove.addEventListener("click", function () { removeItem(item); });
      actions.appendChild(remove);
      row.append(title, cell(item.kind === "lesson" ? list.dataset.kindLesson : list.dataset.kindPage), size, actions);
      rows.appendChild(row);
      if (typeof window.labelTableCells === "function") window.labelTableCells(); // phone cards (app.js)
      const parts = [sizeOf(PAGES, item.url)];
      if (item.videoUrl) parts.push(sizeOf(MEDIA, item.videoUrl));
      return Promise.all(parts).then(function (values) {
        const bytes = values.reduce(function (a, b) { return a + b; }, 0);
        size.textContent = formatSize(bytes);
        size.dataset.bytes = String(bytes);
        return bytes;
      });
    });
    Promise.all(sizes).then(function (values) {
      const bytes = values.reduce(function (a, b) { return a + b; }, 0);
      total.textContent = total.dataset.totalLabel.replace("{size}", formatSize(bytes));
    });
  }

  function removeItem(item) {
    const removals = [caches.open(PAGES).then(function (cache) { return cache.delete(item.url, { ignoreVary: true }); })];
    if (item.videoUrl) {
      removals.push(caches.open(MEDIA).then(function (cache) { return cache.delete(item.videoUrl, { ignoreVary: true }); }));
    }
    Promise.all(removals).then(function () {
      const index = read(INDEX_KEY, {});
      delete index[item.url];
      write(INDEX_KEY, index);
      renderList();
    });
  }

  function renderResults() {
    const section = document.querySelector("[data-offline-results]");
    if (!section) return;
    const results = read(RESULTS_KEY, []);
    const list = section.querySelector("[data-offline-result-list]");
    list.textContent = "";
    results.forEach(function (result) {
      const item = document.createElement("li");
      item.setAttribute("data-testid", "offline-result");
      item.dataset.status = result.status;
      const label = result.status === "credited" ? section.dataset.creditedLabel : section.dataset.refusedLabel;
      item.textContent = result.title + " · " + label + (result.reason ? " (" + result.reason + ")" : "");
      list.appendChild(item);
    });
    section.hidden = !results.length;
  }

  // Signing out leaves none of the member's study on the device (a shared phone, a family PC): their
  // play logs are uploaded first (one that cannot be sent now stays for their next sign-in, so no
  // hour is lost), then the saved pages, the downloaded videos and their list are removed.
  const SIGN_OUT_UPLOAD_MS = 5000;

  function signOut(form) {
    const leave = function () { form.submit(); };
    const waited = new Promise(function (resolve) { setTimeout(resolve, SIGN_OUT_UPLOAD_MS); });
    Promise.race([uploadLogs(), waited])
      .then(function () { return Promise.all([caches.delete(PAGES), caches.delete(MEDIA)]); })
      .then(function () {
        write(INDEX_KEY, null);
        write(RESULTS_KEY, null);
      })
      .then(leave, leave);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!supported) return;
        event.preventDefault();
        signOut(form);
      });
    });
    if (supported) {
      document.querySelectorAll("[data-offline-control]").forEach(function (control) { control.hidden = false; });
    }
    document.querySelectorAll("[data-offline-save]").forEach(function (button) {
      button.addEventListener("click", function () { savePage(button); });
    });
    document.querySelectorAll("[data-offline-download]").forEach(function (button) {
      button.addEventListener("click", function () { downloadLesson(button); });
    });
    renderList();
    renderResults();
    uploadLogs();
  });
  window.addEventListener("online", uploadLogs);
})();
