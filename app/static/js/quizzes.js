// The quiz page: autosave with the server's revision, a countdown from the server's deadline,
// and a copy of unsaved answers in this browser so an expired session or a reload loses nothing.
(() => {
  "use strict";
  const SAVE_DELAY_MS = 1500;

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.querySelector("form.quiz-page");
    if (!form) return;
    const status = document.querySelector("[data-testid=save-status]");
    const problem = document.querySelector("[data-testid=save-problem]");
    const revisionInput = form.querySelector("input[name=revision]");
    const token = document.querySelector("meta[name=csrf-token]").content;
    const storageKey = `quiz-attempt-${form.dataset.attempt}`;
    let timer = null;
    let inFlight = null;
    let dirty = false;
    let submitting = false;

    const fields = () =>
      Array.from(new FormData(form).entries()).filter(([name]) => name.startsWith("q-"));

    const showProblem = (message) => {
      problem.textContent = message || "";
      problem.classList.toggle("hidden", !message);
    };

    const keepLocally = () => {
      try {
        localStorage.setItem(storageKey, JSON.stringify({ revision: Number(revisionInput.value), fields: fields() }));
      } catch (error) { /* private mode: the server copy still counts */ }
    };

    const forgetLocally = () => {
      try { localStorage.removeItem(storageKey); } catch (error) { /* ignore */ }
    };

    const restoreLocally = () => {
      let kept = null;
      try { kept = JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (error) { kept = null; }
      // Only answers typed on top of the server's current copy are restored; anything older is dropped.
      if (!kept || kept.revision !== Number(revisionInput.value)) { forgetLocally(); return false; }
      const byName = new Map();
      kept.fields.forEach(([name, value]) => { if (!byName.has(name)) byName.set(name, []); byName.get(name).push(value); });
      form.querySelectorAll("[name^='q-']").forEach((input) => {
        const values = byName.get(input.name) || [];
        if (input.type === "radio" || input.type === "checkbox") input.checked = values.includes(input.value);
        else if (input.type !== "hidden") input.value = values[0] || "";
      });
      return true;
    };

    const save = async () => {
      clearTimeout(timer);
      timer = null;
      if (!dirty) return true;
      dirty = false;
      status.textContent = form.dataset.textSaving;
      const body = JSON.stringify({ revision: Number(revisionInput.value), fields: fields() });
      inFlight = fetch(form.dataset.autosaveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body,
      }).then(async (response) => {
        const data = await response.json().catch(() => ({}));
        if (response.ok) {
          revisionInput.value = data.revision;
          form.dataset.revision = data.revision;
          if (typeof data.seconds_left === "number") countdown.sync(data.seconds_left);
          status.textContent = form.dataset.textSaved;
          showProblem("");
          if (!dirty) forgetLocally();
          return true;
        }
        if (data.reason === "closed") {
          forgetLocally();
          showProblem(form.dataset.textClosed);
          window.location.assign(data.review_url);
        } else if (data.reason === "stale") {
          showProblem(data.error || form.dataset.textStale);
        } else {
          dirty = true; // an expired session or token: keep trying once the member signs in again
          showProblem(form.dataset.textOffline);
        }
        status.textContent = "";
        return false;
      }).catch(() => {
        dirty = true;
        showProblem(form.dataset.textOffline);
        status.textContent = "";
        return false;
      });
      const result = await inFlight;
      inFlight = null;
      return result;
    };

    const changed = () => {
      dirty = true;
      keepLocally();
      clearTimeout(timer);
      timer = setTimeout(save, SAVE_DELAY_MS);
    };
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    window.addEventListener("online", () => { if (dirty) save(); });
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden" && dirty) save(); });

    form.addEventListener("submit", async (event) => {
      if (submitting) return;
      event.preventDefault();
      // Let a save in flight finish first, so the form carries the newest revision.
      if (inFlight) await inFlight;
      clearTimeout(timer);
      submitting = true;
      forgetLocally();
      form.submit();
    });

    const countdown = (() => {
      const element = document.querySelector("[data-testid=countdown]");
      if (!element) return { sync: () => {} };
      // The server's remaining seconds, counted down on this page's monotonic clock.
      let endsAt = performance.now() + Number(element.dataset.secondsLeft) * 1000;
      const tick = () => {
        const left = Math.max(0, Math.round((endsAt - performance.now()) / 1000));
        const minutes = Math.floor(left / 60);
        element.textContent = `${minutes}:${String(left % 60).padStart(2, "0")}`;
        element.classList.toggle("urgent", left <= 60);
        if (left <= 5 && dirty && !inFlight) save(); // the last answers reach the server before the deadline
        if (left === 0 && !submitting) {
          submitting = true;
          forgetLocally();
          (inFlight || Promise.resolve()).then(() => form.submit());
          return;
        }
        setTimeout(tick, 250);
      };
      tick();
      return { sync: (secondsLeft) => { endsAt = performance.now() + secondsLeft * 1000; } };
    })();

    if (restoreLocally()) { dirty = true; save(); }
  });
})();
