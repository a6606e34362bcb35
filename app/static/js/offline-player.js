// The offline player of a downloaded video lesson: plays the 360p file kept on this device and
// logs each stretch it really played (media start and end, and this device's clock when it began
// and ended), by the same rules as the online player: only while the page is visible, one lesson at
// a time (another tab that starts playing pauses this one), never faster than the allowed speed.
// offline.js uploads the log when the network is back; the server decides what counts.
(function () {
  "use strict";

  const video = document.querySelector("video[data-offline-player]");
  const offline = window.partySchoolOffline;
  if (!video || !offline) return;

  const SLICE_MS = 10000; // a long stretch is logged in slices, so little is lost if the tab dies
  const lessonId = parseInt(video.dataset.lessonId, 10);
  const maxRate = parseFloat(video.dataset.maxSpeed) || 1;
  const status = document.querySelector("[data-offline-status]");
  const item = Object.values(offline.read(offline.INDEX_KEY, {})).find(function (entry) {
    return entry.kind === "lesson" && entry.lessonId === lessonId;
  });
  if (!item) {
    if (status) status.textContent = status.dataset.missingLabel;
    return;
  }
  if (status) status.textContent = item.creditAllowed === false ? status.dataset.offLabel : status.dataset.recordingLabel;

  const key = offline.LOG_PREFIX + item.grant;
  const tab = offline.newLogId();
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("party-school-offline-player") : null;
  let segment = null; // the stretch being played: {start (media seconds), from (device ms)}
  let lastTime = 0;

  function record() {
    if (segment === null) return;
    const played = lastTime - segment.start;
    if (played > 0.05) {
      const log = offline.read(key, null) || {
        grant: item.grant,
        lessonId: lessonId,
        title: item.title,
        log_id: offline.newLogId(),
        plays: [],
      };
      log.plays.push({
        start: segment.start,
        end: lastTime,
        played_from: new Date(segment.from).toISOString(),
        played_to: new Date().toISOString(),
      });
      offline.write(key, log);
    }
    segment = null;
  }

  function begin() {
    lastTime = video.currentTime;
    segment = { start: lastTime, from: Date.now() };
  }

  video.addEventListener("playing", function () {
    if (document.hidden) {
      video.pause();
      return;
    }
    if (channel) channel.postMessage({ playing: tab });
    begin();
  });
  video.addEventListener("timeupdate", function () {
    if (!video.paused && !video.seeking) lastTime = video.currentTime;
  });
  video.addEventListener("seeking", record);
  video.addEventListener("seeked", function () {
    lastTime = video.currentTime;
    if (!video.paused) begin();
  });
  video.addEventListener("pause", record);
  video.addEventListener("ended", record);
  video.addEventListener("ratechange", function () {
    if (video.playbackRate > maxRate) video.playbackRate = maxRate;
  });
  document.addEventListener("visibilitychange", function () {
    if (document.hidden && !video.paused) video.pause(); // the pause handler logs the stretch
  });
  window.addEventListener("pagehide", record);
  if (channel) {
    channel.addEventListener("message", function (event) {
      if (event.data && event.data.playing !== tab && !video.paused) video.pause();
    });
  }
  window.setInterval(function () {
    if (segment !== null && !video.paused && !video.seeking) {
      lastTime = video.currentTime;
      record();
      begin();
    }
  }, SLICE_MS);
})();
