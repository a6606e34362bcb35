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

// Course outline: drag modules, and lessons inside their module, by their ⠿ handle. The new order is
// saved at once; if the server refuses it (someone else changed the course) the page reloads with
// the order as saved. The ↑/↓ buttons do the same without JavaScript or a mouse.
document.addEventListener("DOMContentLoaded", () => {
  const tokenMeta = document.querySelector('meta[name="csrf-token"]');
  const errorBox = document.querySelector("[data-sort-error]");
  const listName = { modules: "modules", lessons: "lessons" };

  const save = async (list) => {
    const ids = [...list.children].filter((item) => item.dataset.id).map((item) => Number(item.dataset.id));
    try {
      const response = await fetch(list.dataset.orderUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": tokenMeta.content },
        body: JSON.stringify({ [listName[list.dataset.sortable]]: ids }),
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(data.error || response.statusText);
      list.dispatchEvent(new CustomEvent("order-saved", { bubbles: true }));
    } catch (error) {
      if (errorBox) {
        errorBox.textContent = error.message;
        errorBox.hidden = false;
      }
      setTimeout(() => window.location.reload(), 2500);
    }
  };

  document.querySelectorAll("[data-sortable]").forEach((list) => {
    if (list.closest("fieldset[disabled]")) return; // a course waiting for review, or edited through a revision
    let dragged = null;
    const items = () => [...list.children].filter((item) => item.dataset.id);
    const clearMarks = () => items().forEach((item) => item.classList.remove("drop-before", "drop-after"));
    items().forEach((item) => {
      const handle = item.querySelector(":scope [data-drag-handle]");
      handle.addEventListener("pointerdown", () => { item.draggable = true; });
      item.addEventListener("dragstart", (event) => {
        if (!item.draggable) return;
        event.stopPropagation(); // a lesson's drag is not its module's
        dragged = item;
        item.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", item.dataset.id);
      });
      item.addEventListener("dragend", () => {
        item.draggable = false;
        item.classList.remove("dragging");
        clearMarks();
        dragged = null;
      });
      item.addEventListener("dragover", (event) => {
        if (!dragged || dragged === item || dragged.parentElement !== list) return;
        event.preventDefault();
        event.stopPropagation();
        const box = item.getBoundingClientRect();
        const after = event.clientY > box.top + box.height / 2;
        clearMarks();
        item.classList.add(after ? "drop-after" : "drop-before");
      });
      item.addEventListener("drop", (event) => {
        if (!dragged || dragged === item || dragged.parentElement !== list) return;
        event.preventDefault();
        event.stopPropagation();
        const after = item.classList.contains("drop-after");
        clearMarks();
        item.parentElement.insertBefore(dragged, after ? item.nextSibling : item);
        save(list);
      });
    });
  });
});

// Reading lesson: search the theory library, choose a document, then one of its sections. The
// chosen document's identifier goes into the form's hidden field; the server checks it exists.
document.addEventListener("DOMContentLoaded", () => {
  const picker = document.querySelector("[data-document-picker]");
  if (!picker) return;
  const keyInput = picker.querySelector("[data-document-key]");
  const chosen = picker.querySelector("[data-document-chosen]");
  const search = picker.querySelector("[data-document-search]");
  const results = picker.querySelector("[data-document-results]");
  const sectionSelect = picker.querySelector("[data-section-select]");
  let timer = null;
  let sent = 0;

  const loadSections = async (key) => {
    const response = await fetch(`${picker.dataset.sectionsUrl}?key=${encodeURIComponent(key)}`, {
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const data = await response.json();
    const first = sectionSelect.options[0];
    sectionSelect.replaceChildren(first);
    data.sections.forEach((section) => sectionSelect.add(new Option(section.label, section.value)));
    sectionSelect.value = "";
  };

  const choose = (documentInfo) => {
    keyInput.value = documentInfo.key;
    const title = document.createElement("strong");
    title.textContent = documentInfo.title;
    const where = document.createElement("span");
    where.className = "muted";
    where.textContent = ` ${documentInfo.collection} · ${documentInfo.key}`;
    chosen.replaceChildren(title, where);
    results.replaceChildren();
    loadSections(documentInfo.key);
  };

  const find = async () => {
    const ticket = ++sent;
    try {
      const response = await fetch(`${picker.dataset.documentsUrl}?q=${encodeURIComponent(search.value)}`, {
        credentials: "same-origin",
      });
      if (!response.ok || ticket !== sent) return;
      const data = await response.json();
      const items = data.documents.map((documentInfo) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button small secondary";
        button.dataset.documentKey = documentInfo.key;
        button.textContent = `${documentInfo.title}（${documentInfo.collection}）`;
        button.addEventListener("click", () => choose(documentInfo));
        item.append(button);
        return item;
      });
      if (!items.length) {
        const item = document.createElement("li");
        item.className = "muted";
        item.textContent = results.dataset.empty;
        items.push(item);
      }
      results.replaceChildren(...items);
    } catch (error) {
      // Offline for a moment: the next keystroke searches again.
    }
  };
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(find, 250);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // Enter searches; it does not submit the lesson
      clearTimeout(timer);
      find();
    }
  });
});
