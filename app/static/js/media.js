// The video library: live transcoding state (polled from /api/v1/videos/status) and upload progress.
document.addEventListener("DOMContentLoaded", () => {
  const POLL_MS = 2000;
  const FINISHED = new Set(["ready", "failed"]);

  document.querySelectorAll("[data-video-poll]").forEach((container) => {
    const states = new Map();
    container.querySelectorAll("[data-video-state]").forEach((element) => {
      states.set(element.dataset.videoId, element);
    });
    const label = (status) => container.getAttribute(`data-label-${status}`) || status;

    const render = (element, video) => {
      const processing = video.status === "processing";
      element.dataset.status = video.status;
      const badge = element.querySelector("[data-role=label]");
      badge.textContent = label(video.status);
      badge.className = `badge badge-video-${video.status}`;
      const progress = element.querySelector("[data-role=progress]");
      const percent = element.querySelector("[data-role=percent]");
      progress.value = video.progress;
      percent.textContent = `${video.progress}%`;
      progress.hidden = percent.hidden = !processing;
      const error = element.querySelector("[data-role=error]");
      error.textContent = video.error || "";
      error.hidden = !video.error;
    };

    const poll = async () => {
      const pending = [...states.values()].filter((element) => !FINISHED.has(element.dataset.status));
      if (pending.length === 0) return;
      const ids = pending.map((element) => element.dataset.videoId).join(",");
      try {
        const response = await fetch(`${container.dataset.videoPoll}?ids=${ids}`, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (response.ok) {
          const { videos } = await response.json();
          let finished = false;
          videos.forEach((video) => {
            const element = states.get(String(video.id));
            if (!element) return;
            finished = finished || (FINISHED.has(video.status) && !FINISHED.has(element.dataset.status));
            render(element, video);
          });
          if (finished && container.hasAttribute("data-reload-when-finished")) {
            window.location.reload();
            return;
          }
        }
      } catch (error) {
        // A dropped connection: try again at the next tick.
      }
      window.setTimeout(poll, POLL_MS);
    };
    window.setTimeout(poll, POLL_MS);
  });

  // Uploads of up to gigabytes: send through XHR to show progress, then follow the server's redirect.
  document.querySelectorAll("[data-upload-form]").forEach((form) => {
    const bar = form.querySelector("[data-upload-progress]");
    form.addEventListener("submit", (event) => {
      if (!window.XMLHttpRequest || !window.FormData) return;
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      bar.hidden = false;
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.addEventListener("progress", (progress) => {
        if (progress.lengthComputable) bar.value = Math.round((progress.loaded / progress.total) * 100);
      });
      request.addEventListener("load", () => {
        if (request.status < 400 && request.responseURL) {
          window.location.assign(request.responseURL);
        } else {
          document.open();
          document.write(request.responseText);
          document.close();
        }
      });
      request.addEventListener("error", () => {
        // The connection dropped: let the person try again.
        button.disabled = false;
        bar.hidden = true;
      });
      request.send(new FormData(form));
    });
  });
});
