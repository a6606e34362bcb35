// The reading page: remember the section a member is reading, and mark it in the contents.
document.addEventListener("DOMContentLoaded", () => {
  const reader = document.querySelector(".reader");
  if (!reader) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const links = new Map();
  document.querySelectorAll('.toc a[href^="#"]').forEach((link) => links.set(link.getAttribute("href").slice(1), link));
  let saved = reader.dataset.lastAnchor || "";
  let timer = null;

  const save = (anchor) => {
    if (!anchor || anchor === saved) return;
    clearTimeout(timer);
    // Wait until the reader settles on a section rather than sending every scroll.
    timer = setTimeout(() => {
      fetch(reader.dataset.positionUrl, {
        method: "PUT",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ anchor }),
        credentials: "same-origin",
      }).then((response) => { if (response.ok) saved = anchor; }).catch(() => {});
    }, 1500);
  };

  const mark = (anchor) => {
    links.forEach((link, key) => link.setAttribute("aria-current", String(key === anchor)));
  };

  const observer = new IntersectionObserver((entries) => {
    const visible = entries.filter((entry) => entry.isIntersecting);
    if (!visible.length) return;
    const anchor = visible[0].target.dataset.anchor;
    mark(anchor);
    save(anchor);
  }, { rootMargin: "0px 0px -70% 0px" });
  document.querySelectorAll(".reading-section").forEach((section) => observer.observe(section));

  // Opened from a search hit or a lesson link: the browser jumps to the #anchor by itself.
  if (location.hash) save(location.hash.slice(1));
});

// Opened from a reading lesson: count seconds only while the tab is visible and the reader was active
// lately, and report them about every ten seconds. The server verifies each report against its own
// clock (app/progress/watching/reading.py); this only reports honestly.
document.addEventListener("DOMContentLoaded", () => {
  const reader = document.querySelector(".reader[data-reading-url]");
  if (!reader) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const status = document.querySelector('[data-testid="reading-status"]');
  const readMinutes = document.querySelector('[data-testid="reading-read"]');
  const bar = document.querySelector(".reading-timer progress");
  const idleMs = Number(reader.dataset.idleSeconds) * 1000;
  const REPORT_MS = 10000;
  let lastActive = Date.now();
  let lastTick = Date.now();
  let unsentMs = 0;
  let sequence = 0;
  let inFlight = false;
  let stopped = false;
  let completed = status.textContent.trim() === reader.dataset.completedLabel;

  const show = (label) => { if (status.textContent !== label) status.textContent = label; };

  const report = () => {
    if (stopped || inFlight || unsentMs < 1000) return;
    const seconds = Math.floor(unsentMs / 100) / 10;
    unsentMs -= seconds * 1000;
    sequence += 1;
    inFlight = true;
    fetch(reader.dataset.readingUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ seconds, session: reader.dataset.readingSession, sequence }),
      credentials: "same-origin",
      keepalive: true,
    }).then((response) => response.json().then((answer) => {
      if (response.status === 409 && ["superseded", "other_lesson"].includes(answer.error)) {
        stopped = true;
        show(reader.dataset.elsewhereLabel);
        return;
      }
      if (!response.ok) return;
      readMinutes.textContent = String(Math.floor(answer.verified_seconds / 60));
      bar.value = answer.coverage;
      completed = answer.completed;
    })).catch(() => {}).finally(() => { inFlight = false; });
  };

  ["scroll", "wheel", "keydown", "pointerdown", "pointermove", "touchstart"].forEach((name) =>
    window.addEventListener(name, () => { lastActive = Date.now(); }, { passive: true }));

  setInterval(() => {
    const now = Date.now();
    // A long gap (a sleeping laptop, a throttled tab) counts as at most two seconds.
    const step = Math.min(now - lastTick, 2000);
    lastTick = now;
    if (stopped) return;
    const active = document.visibilityState === "visible" && now - lastActive < idleMs;
    if (active) unsentMs += step;
    if (completed) show(reader.dataset.completedLabel);
    else show(active ? reader.dataset.countingLabel : reader.dataset.pausedLabel);
    if (unsentMs >= REPORT_MS) report();
  }, 1000);

  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") report(); });
  window.addEventListener("pagehide", report);
});
