// tienda console: progressive enhancement only; every page works without this file.
"use strict";

// Show every <time datetime> in the browser's own time zone.
function localTimes(root) {
  const fmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  for (const el of root.querySelectorAll("time[datetime]")) {
    const d = new Date(el.getAttribute("datetime"));
    if (!isNaN(d)) {
      el.title = el.textContent;
      el.textContent = fmt.format(d);
    }
  }
}

// Ask before a form marked data-confirm is sent.
function confirmations(root) {
  for (const form of root.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (ev) => {
      if (!window.confirm(form.dataset.confirm)) {
        ev.preventDefault();
      }
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  localTimes(document);
  confirmations(document);
});

// Poll a report's state and reload the page once it has finished.
function pollReport(root) {
  const el = root.querySelector("[data-poll]");
  if (!el) {
    return;
  }
  const tick = async () => {
    try {
      const res = await fetch(el.dataset.poll, { headers: { Accept: "application/json" } });
      if (res.ok) {
        const st = await res.json();
        if (st.done) {
          window.location.reload();
          return;
        }
        el.querySelector("strong").textContent = st.state;
        const progress = el.querySelector(".progress");
        if (progress) {
          progress.textContent = String(st.progress);
        }
      }
    } catch (e) {
      // a network hiccup: try again at the next tick
    }
    setTimeout(tick, 1500);
  };
  setTimeout(tick, 1500);
}

document.addEventListener("DOMContentLoaded", () => pollReport(document));
