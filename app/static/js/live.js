// The live lesson page: countdown while scheduled, the HLS player while live (hls.js, or the
// browser's own HLS where it has one), questions, and attendance heartbeats; it polls the state
// (with the ETag of its last answer, so an unchanged poll is a 304) and switches by itself when the
// broadcast starts or ends. The server decides what counts (app/live/attendance.py).
(function () {
  "use strict";

  const root = document.querySelector("[data-live]");
  if (!root) return;

  const POLL_MS = 5000;
  const HEARTBEAT_MS = 10000;
  const TICK_MS = 1000;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const video = root.querySelector("[data-live-video]");
  const list = root.querySelector("[data-live-questions]");
  const attendanceLine = root.querySelector("[data-live-attendance]");
  const stream = "/" + root.dataset.stream + "/";
  const session = root.dataset.session;
  const host = root.dataset.host === "true";
  const msg = root.dataset;

  let state = root.dataset.state;
  let etag = null;
  let folder = null; // the current signed folder URL of the stream (ends with "/lesson-<id>/")
  let hls = null;
  let pending = 0; // seconds played in a visible tab since the last heartbeat
  let lastTick = Date.now();
  let sequence = 0;
  let superseded = false;
  let queue = Promise.resolve();

  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(payload),
      credentials: "same-origin",
    });
  }

  // --- state ---------------------------------------------------------------------------------------

  function show(name) {
    root.dataset.state = name;
    root.querySelectorAll("[data-when]").forEach(function (part) {
      part.hidden = part.dataset.when !== name;
    });
    video.hidden = name !== "live";
  }

  // Every playlist and segment request goes to the newest signed folder: links expire, and the
  // segments a playlist names are relative to the folder it was fetched from.
  function resign(url) {
    const at = url.indexOf(stream);
    return at < 0 || !folder ? url : folder + url.slice(at + stream.length);
  }

  function startPlayer(playlist) {
    folder = playlist.slice(0, playlist.lastIndexOf("/") + 1);
    if (hls || video.src) return;
    if (window.Hls && window.Hls.isSupported()) {
      hls = new window.Hls({
        enableWorker: false, // the site's policy allows no blob: workers
        liveSyncDurationCount: 3,
        xhrSetup: function (xhr, url) {
          xhr.open("GET", resign(url), true);
        },
      });
      hls.on(window.Hls.Events.ERROR, function (_event, data) {
        if (data.fatal && data.type === window.Hls.ErrorTypes.NETWORK_ERROR) hls.startLoad();
        else if (data.fatal && data.type === window.Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
      });
      hls.loadSource(playlist);
      hls.attachMedia(video);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = playlist; // Safari's own HLS: the page reloads the source when the link renews
    }
    video.play().catch(function () {
      /* autoplay refused: the member presses play */
    });
  }

  function stopPlayer() {
    flush();
    if (hls) {
      hls.destroy();
      hls = null;
    }
    video.removeAttribute("src");
    video.load();
  }

  function apply(payload) {
    if (payload.state === "live" && payload.playlist) {
      const renewed = folder && payload.playlist.indexOf(folder) !== 0;
      startPlayer(payload.playlist);
      if (renewed && !hls && video.src) video.src = payload.playlist;
    }
    if (payload.state !== state) {
      if (state === "live") stopPlayer();
      state = payload.state;
      show(state);
      if (state === "ended" && payload.replay) window.location.reload();
    } else if (state === "ended" && payload.replay) {
      window.location.reload();
    }
    renderQuestions(payload.questions || []);
  }

  function poll() {
    const headers = etag ? { "If-None-Match": etag } : {};
    fetch(root.dataset.stateUrl, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 304 || !response.ok) return null;
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (payload) {
        if (payload) apply(payload);
      })
      .catch(function () {
        /* offline for a moment: the next poll tries again */
      });
  }

  // --- countdown -----------------------------------------------------------------------------------

  const countdown = root.querySelector("[data-countdown]");
  const startsAt = root.dataset.startsAt ? Date.parse(root.dataset.startsAt) : null;

  function two(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function updateCountdown() {
    if (!countdown || startsAt === null) return;
    const left = Math.max(0, Math.round((startsAt - Date.now()) / 1000));
    const hours = Math.floor(left / 3600);
    countdown.textContent = (hours ? hours + ":" : "") + two(Math.floor((left % 3600) / 60)) + ":" + two(left % 60);
  }

  // --- attendance ----------------------------------------------------------------------------------

  function watching() {
    return state === "live" && !superseded && !video.paused && !video.ended && document.visibilityState === "visible";
  }

  function tick() {
    const now = Date.now();
    if (watching()) pending += Math.min(now - lastTick, 2 * TICK_MS) / 1000;
    lastTick = now;
    updateCountdown();
  }

  function flush() {
    if (!session || pending < 0.5 || superseded) return;
    const seconds = Math.min(30, Math.round(pending * 1000) / 1000);
    pending = 0;
    sequence += 1;
    const body = { seconds: seconds, session: session, sequence: sequence };
    queue = queue.then(function () {
      return post(root.dataset.heartbeatUrl, body)
        .then(function (response) {
          return response.json();
        })
        .then(function (answer) {
          if (answer.error === "superseded" || answer.error === "other_lesson") {
            superseded = true;
            if (attendanceLine) attendanceLine.textContent = msg.msgSuperseded;
          } else if (attendanceLine && answer.broadcast_seconds) {
            attendanceLine.textContent = msg.msgAttended.replace("{share}", Math.round(answer.share * 100) + "%");
          }
        })
        .catch(function () {});
    });
  }

  document.addEventListener("visibilitychange", function () {
    tick();
    if (document.visibilityState === "hidden") flush();
  });
  video.addEventListener("pause", function () {
    tick();
    flush();
  });

  // --- questions -----------------------------------------------------------------------------------

  function button(label, onClick) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "button secondary";
    element.textContent = label;
    element.addEventListener("click", onClick);
    return element;
  }

  function renderQuestions(questions) {
    list.replaceChildren();
    questions.forEach(function (question) {
      const item = document.createElement("li");
      item.dataset.testid = "question";
      if (question.pinned) item.className = "pinned";
      const text = document.createElement("p");
      text.textContent = question.body;
      item.appendChild(text);
      const notes = [];
      if (question.pinned) notes.push(msg.msgPinned);
      if (question.answered) notes.push(msg.msgAnswered);
      if (question.mine) notes.push(msg.msgMine);
      if (question.asker) notes.push(question.asker);
      if (notes.length) {
        const small = document.createElement("small");
        small.className = "muted";
        small.textContent = notes.join(" · ");
        item.appendChild(small);
      }
      if (question.answer) {
        const answer = document.createElement("p");
        answer.className = "answer";
        answer.textContent = question.answer;
        item.appendChild(answer);
      }
      if (host) {
        const tools = document.createElement("div");
        tools.className = "tools";
        const base = root.dataset.questionsUrl + "/" + question.id;
        if (!question.answered) {
          tools.appendChild(
            button(msg.msgAnswer, function () {
              const text = window.prompt(msg.msgAnswer, "") || "";
              post(base + "/answer", { answer: text }).then(poll);
            })
          );
        }
        tools.appendChild(
          button(question.pinned ? msg.msgUnpin : msg.msgPin, function () {
            post(base + "/pin", { pinned: !question.pinned }).then(poll);
          })
        );
        item.appendChild(tools);
      }
      list.appendChild(item);
    });
  }

  const form = root.querySelector("[data-live-ask]");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const field = form.querySelector("textarea");
      const error = form.querySelector("[data-live-ask-error]");
      post(root.dataset.questionsUrl, { body: field.value })
        .then(function (response) {
          return response.json().then(function (answer) {
            if (response.ok) {
              field.value = "";
              error.textContent = "";
              poll();
            } else {
              error.textContent = answer.error || "";
            }
          });
        })
        .catch(function () {});
    });
  }

  show(state);
  updateCountdown();
  poll();
  window.setInterval(poll, POLL_MS);
  window.setInterval(tick, TICK_MS);
  window.setInterval(flush, HEARTBEAT_MS);
})();
