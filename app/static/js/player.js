// The verified-watching player of video lessons and library videos: reports each media interval it really played to the heartbeat API
// (about every 10 s, and on pause, seek, end, a hidden tab and leaving the page); resumes where the
// member left off; no seeking ahead of the furthest verified point until the lesson is completed.
// The server decides what counts (app/progress/watching/heartbeats.py); this only reports honestly.
// A quality switch (720p/360p) swaps the source keeping the position and whether it played; nothing
// is reported across the swap, so the reload's jump back to the position is never taken for playing.
(function () {
  "use strict";

  const video = document.querySelector("video[data-heartbeat-url]");
  if (!video) return;

  const HEARTBEAT_MS = 10000;
  const MAX_RATE = 1.5;
  const url = video.dataset.heartbeatUrl;
  const session = video.dataset.session;
  // The page's viewing token signs the heartbeats: no cookie, no CSRF token (app/progress/watching/viewing.py).
  const viewingToken = video.dataset.viewingToken;
  const status = document.querySelector("[data-player-status]");
  const coverage = document.querySelector("[data-player-coverage]");
  const quality = document.querySelector("[data-player-quality]");
  const QUALITY_KEY = "player.quality"; // the label chosen last (such as "360p"), for every lesson

  let completed = video.dataset.completed === "true";
  let reached = parseFloat(video.dataset.furthest) || 0; // the furthest point played or verified
  let sequence = 0;
  let segmentStart = null; // where the stretch being played now began (media seconds)
  let lastTime = 0; // the playhead as last seen while playing normally
  let superseded = false;
  let startAt = parseFloat(video.dataset.resumeAt) || 0; // where to put the playhead once metadata is in
  let switching = null; // during a quality switch: {playing, rate} to restore; nothing is reported
  let asking = false; // the presence question is open: nothing plays, so nothing is counted

  // One heartbeat in flight at a time, in sequence order (the server refuses a concurrent one).
  let queue = Promise.resolve();

  function send(start, end, leaving) {
    sequence += 1;
    const body = JSON.stringify({ start: start, end: end, session: session, sequence: sequence });
    if (leaving) post(body, true); // the page is going away: no waiting
    else queue = queue.then(function () { return post(body, false); });
  }

  // Without a viewing token (a library video), heartbeats go with the session cookie and CSRF token.
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const headers = viewingToken
    ? { "Content-Type": "application/json", Authorization: "Bearer " + viewingToken }
    : { "Content-Type": "application/json", "X-CSRFToken": csrfMeta ? csrfMeta.content : "" };

  function post(body, leaving) {
    return fetch(url, {
      method: "POST",
      headers: headers,
      body: body,
      credentials: viewingToken ? "omit" : "same-origin",
      keepalive: leaving,
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          return { ok: response.ok, answer: answer };
        });
      })
      .then(function (reply) {
        const reason = reply.answer.error;
        if (reason === "superseded" || reason === "other_lesson") {
          // Another tab or device opened a lesson since: only that one counts now.
          superseded = true;
          video.pause();
          if (status) status.textContent = status.dataset.superseded;
        }
        if (!reply.ok) return;
        const figures = reply.answer;
        if (coverage) coverage.value = figures.coverage;
        if (figures.completed && !completed) {
          completed = true;
          if (status) status.textContent = status.dataset.completedMessage;
        }
      })
      .catch(function () {
        // Offline for a moment: that stretch is not counted; playing on reports the next one.
      });
  }

  // Report the stretch played since the last report; keep counting from here when still playing.
  function flush(leaving) {
    if (switching) return; // the stretch before the switch was reported when it began
    if (!video.seeking) lastTime = video.currentTime;
    if (segmentStart !== null && !superseded && lastTime - segmentStart > 0.05) {
      send(segmentStart, lastTime, leaving);
    }
    segmentStart = video.paused || video.seeking || video.ended ? null : lastTime;
  }

  // Resume where the member left off (first load) or where the old source was (quality switch).
  function place() {
    // Past the end (a switch after the video ended, or renditions of slightly different lengths):
    // the end, not the start.
    const target = isFinite(video.duration) ? Math.min(startAt, video.duration) : startAt;
    startAt = 0;
    if (target > 0) {
      video.currentTime = target;
      if (switching) video.addEventListener("seeked", endSwitch, { once: true });
    } else if (switching) {
      endSwitch();
    }
  }
  if (video.readyState >= 1) place(); // the metadata may be in before this script runs
  video.addEventListener("loadedmetadata", place);

  function absolute(src) {
    return new URL(src, document.baseURI).href;
  }

  function switchQuality(src) {
    if (switching || absolute(src) === video.currentSrc) return;
    flush(false); // report what was played on the old source, then count nothing until resumed
    segmentStart = null;
    switching = { playing: !video.paused && !video.ended, rate: video.playbackRate };
    if (video.readyState >= 1) startAt = video.currentTime; // else the pending resume point stays
    video.src = src; // takes precedence over the <source> list; loading resets the rate and pauses
  }
  video.addEventListener("error", function () {
    if (switching) switching = null; // the new source failed: the browser shows its error
  });

  function endSwitch() {
    const restore = switching;
    switching = null;
    video.playbackRate = restore.rate;
    lastTime = video.currentTime;
    segmentStart = null; // the "playing" event starts the next stretch, from here
    if (restore.playing && !superseded && !document.hidden) {
      video.play().catch(function () {
        // Refused by the browser (no user gesture): the member presses play.
      });
    }
  }

  if (quality) {
    const labels = {};
    Array.prototype.forEach.call(quality.options, function (option) {
      labels[option.value] = option.textContent.trim();
    });
    let remembered = null;
    try {
      remembered = window.localStorage.getItem(QUALITY_KEY);
    } catch (error) {
      // Storage disabled (private mode): nothing remembered.
    }
    const preferred = Array.prototype.find.call(quality.options, function (option) {
      return labels[option.value] === remembered;
    });
    if (preferred && preferred !== quality.options[quality.selectedIndex]) {
      quality.value = preferred.value;
      switchQuality(preferred.value);
    } else {
      // The browser picked the first source it can play: show that one as selected.
      Array.prototype.forEach.call(quality.options, function (option) {
        if (video.currentSrc && absolute(option.value) === video.currentSrc) quality.value = option.value;
      });
    }
    quality.addEventListener("change", function () {
      try {
        window.localStorage.setItem(QUALITY_KEY, labels[quality.value]);
      } catch (error) {
        // Not remembered; the switch still happens.
      }
      switchQuality(quality.value);
    });
    document.querySelector("[data-player-bar]").hidden = false;
  }

  video.addEventListener("timeupdate", function () {
    if (switching || video.seeking || video.paused) return;
    lastTime = video.currentTime;
    if (segmentStart === null) segmentStart = lastTime;
    if (lastTime > reached) reached = lastTime;
  });

  video.addEventListener("seeking", function () {
    if (!completed && video.currentTime > reached + 0.5) video.currentTime = reached;
    if (switching) return; // back to where the old source was: not a seek of the member's
    if (segmentStart !== null) {
      if (!superseded && lastTime - segmentStart > 0.05) send(segmentStart, lastTime, false);
      segmentStart = null;
    }
  });

  video.addEventListener("seeked", function () {
    if (switching) return;
    lastTime = video.currentTime;
    if (!video.paused) segmentStart = lastTime;
  });

  video.addEventListener("play", function () {
    if (superseded || asking) video.pause();
  });
  video.addEventListener("playing", function () {
    if (switching) return;
    lastTime = video.currentTime;
    segmentStart = lastTime;
  });
  video.addEventListener("pause", function () { flush(false); });
  video.addEventListener("ended", function () { flush(false); });

  video.addEventListener("ratechange", function () {
    if (video.playbackRate > MAX_RATE) video.playbackRate = MAX_RATE;
  });

  document.addEventListener("visibilitychange", function () {
    if (document.hidden && !video.paused) video.pause(); // the pause handler reports the stretch
  });
  window.addEventListener("pagehide", function () { flush(true); });

  window.setInterval(function () {
    if (!switching && !video.paused && !video.seeking) flush(false);
  }, HEARTBEAT_MS);

  // The presence check: after N minutes of playback with no pointer, key or touch on the page, pause
  // and ask "还在学习吗？"; playback (and so counting) resumes only when the member answers.
  const PRESENCE_MS = (parseFloat(video.dataset.presenceMinutes) || 0) * 60000;
  const presence = document.querySelector("[data-presence-dialog]");
  if (PRESENCE_MS > 0 && presence && typeof presence.showModal === "function") {
    const answer = presence.querySelector("[data-presence-continue]");
    let idleMs = 0;
    let tickAt = performance.now();

    const noticed = function () { idleMs = 0; };
    ["pointerdown", "pointermove", "keydown", "touchstart", "wheel"].forEach(function (type) {
      document.addEventListener(type, noticed, { capture: true, passive: true });
    });

    const ask = function () {
      asking = true;
      video.pause(); // the pause handler reports the stretch played so far
      presence.showModal();
      answer.focus();
    };
    answer.addEventListener("click", function () {
      asking = false;
      idleMs = 0;
      presence.close();
      video.play().catch(function () {
        // Refused by the browser: the member presses play.
      });
    });
    // Escape does not dismiss the question; should the browser close it anyway, it opens again.
    presence.addEventListener("cancel", function (event) { event.preventDefault(); });
    presence.addEventListener("close", function () {
      if (asking) {
        presence.showModal();
        answer.focus();
      }
    });

    window.setInterval(function () {
      const now = performance.now();
      const elapsed = now - tickAt;
      tickAt = now;
      if (asking || switching || video.paused || video.seeking || video.ended) return;
      idleMs += elapsed;
      if (idleMs >= PRESENCE_MS) ask();
    }, Math.max(250, Math.min(1000, PRESENCE_MS / 4)));
  }
})();
