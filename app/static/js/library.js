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
