// Lesson editor: show the fields of the chosen kind, and a live preview rendered by the server
// (the same Markdown renderer and sanitiser as the lesson page, so the preview equals the page).
document.addEventListener("DOMContentLoaded", () => {
  const kindSelect = document.querySelector("[data-kind-select]");
  const kindBlocks = document.querySelectorAll("[data-kind-only]");
  const showKind = () => {
    kindBlocks.forEach((block) => {
      block.hidden = kindSelect && block.dataset.kindOnly !== kindSelect.value;
    });
  };
  if (kindSelect) {
    kindSelect.addEventListener("change", showKind);
    showKind();
  }

  const source = document.querySelector("[data-preview-source]");
  const target = document.querySelector("[data-preview-target]");
  if (!source || !target) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  let timer = null;
  let sent = 0;
  const refresh = async () => {
    const ticket = ++sent;
    try {
      const response = await fetch(source.dataset.previewUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ markdown: source.value }),
        credentials: "same-origin",
      });
      if (!response.ok || ticket !== sent) return;
      const data = await response.json();
      target.innerHTML = data.html; // already sanitised by the server
    } catch (error) {
      // Offline for a moment: the preview catches up on the next keystroke.
    }
  };
  source.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
});
