// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("main-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
  labelTableCells();
  document.querySelectorAll("[data-confirm]").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });
});

// On a phone a wide table becomes one card per row (app.css, under 600px): each cell is labelled
// with its column's heading, and the ARIA roles keep the table's meaning for screen readers once
// its rows are no longer displayed as a table.
function labelTableCells() {
  document.querySelectorAll("table").forEach((table) => {
    const headings = table.tHead ? [...table.tHead.rows[0].cells].map((cell) => cell.textContent.trim()) : null;
    if (!headings || table.hasAttribute("data-keep-table")) return;
    table.classList.add("stackable");
    table.setAttribute("role", "table");
    table.querySelectorAll("tr").forEach((row) => {
      row.setAttribute("role", "row");
      let column = 0;
      [...row.cells].forEach((cell) => {
        const heading = row.parentElement === table.tHead;
        cell.setAttribute("role", heading ? "columnheader" : "cell");
        if (!heading && headings[column]) cell.dataset.label = headings[column];
        column += cell.colSpan || 1;
      });
    });
  });
}
