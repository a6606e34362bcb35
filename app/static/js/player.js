// The video lesson player: reports each media interval it really played to the heartbeat API
// (about every 10 s, and on pause, seek, end, a hidden tab and leaving the page); resumes where the
// member left off; no seeking ahead of the furthest verified point until the lesson is completed.
// The server decides what counts (app/progress/heartbeats.py); this only reports honestly.
(function () {
  "use strict";

  const video = document.querySelector("video[data-heartbeat-url]");
  if (!video) return;

  const HEARTBEAT_MS = 10000;
  const MAX_RATE = 1.5;
  const url = video.dataset.heartbeatUrl;
  const session = video.dataset.session;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const status = document.querySelector("[data-player-status]");
  const coverage = document.querySelector("[data-player-coverage]");
  const resumeAt = parseFloat(video.dataset.resumeAt) || 0;

  let completed = video.dataset.completed === "true";
  let reached = parseFloat(video.dataset.furthest) || 0; // the furthest point played or verified
  let sequence = 0;
  let segmentStart = null; // where the stretch being played now began (media seconds)
  let lastTime = 0; // the playhead as last seen while playing normally
  let superseded = false;

  // One heartbeat in flight at a time, in sequence order (the server refuses a concurrent one).
  let queue = Promise.resolve();

  function send(start, end, leaving) {
    sequence += 1;
    const body = JSON.stringify({ start: start, end: end, session: session, sequence: sequence });
    if (leaving) post(body, true); // the page is going away: no waiting
    else queue = queue.then(function () { return post(body, false); });
  }

  function post(body, leaving) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: body,
      credentials: "same-origin",
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
    if (!video.seeking) lastTime = video.currentTime;
    if (segmentStart !== null && !superseded && lastTime - segmentStart > 0.05) {
      send(segmentStart, lastTime, leaving);
    }
    segmentStart = video.paused || video.seeking || video.ended ? null : lastTime;
  }

  function resume() {
    if (resumeAt > 0 && resumeAt < video.duration) video.currentTime = resumeAt;
  }
  if (video.readyState >= 1) resume(); // the metadata may be in before this script runs
  else video.addEventListener("loadedmetadata", resume, { once: true });

  video.addEventListener("timeupdate", function () {
    if (video.seeking || video.paused) return;
    lastTime = video.currentTime;
    if (segmentStart === null) segmentStart = lastTime;
    if (lastTime > reached) reached = lastTime;
  });

  video.addEventListener("seeking", function () {
    if (segmentStart !== null) {
      if (!superseded && lastTime - segmentStart > 0.05) send(segmentStart, lastTime, false);
      segmentStart = null;
    }
    if (!completed && video.currentTime > reached + 0.5) video.currentTime = reached;
  });

  video.addEventListener("seeked", function () {
    lastTime = video.currentTime;
    if (!video.paused) segmentStart = lastTime;
  });

  video.addEventListener("play", function () {
    if (superseded) video.pause();
  });
  video.addEventListener("playing", function () {
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
    if (!video.paused && !video.seeking) flush(false);
  }, HEARTBEAT_MS);
})();
