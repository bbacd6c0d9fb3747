// A project import running in the background (templates/partnerships/admin/import_job.html):
// move its progress bar every two seconds and, once it has finished, reload the page to
// show its report. Without JavaScript the page has a "Check again" link instead.
(() => {
  const section = document.querySelector("[data-import-progress]");
  if (!section) return;
  const bar = section.querySelector("progress");
  const label = section.querySelector("[data-import-label]");
  const announcer = section.querySelector("[data-import-step]");
  const url = section.dataset.importProgress;
  const stepOf = (text) => text.split(":")[0].split(" (")[0];
  let step = stepOf(label.textContent);

  async function poll() {
    let state;
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) throw new Error(String(response.status));
      state = await response.json();
    } catch (error) {
      window.setTimeout(poll, 5000);
      return;
    }
    if (state.status === "done" || state.status === "failed") {
      window.location.reload();
      return;
    }
    if (state.percent === null) {
      bar.removeAttribute("value");
      label.textContent = state.label;
    } else {
      bar.value = state.percent;
      bar.textContent = `${state.percent}%`;
      label.textContent = `${state.label} (${state.percent}%)`;
    }
    // A screen reader is told when the step changes (a live region), not read a number
    // every two seconds.
    if (stepOf(state.label) !== step) {
      step = stepOf(state.label);
      announcer.textContent = step;
    }
    window.setTimeout(poll, 2000);
  }
  window.setTimeout(poll, 2000);
})();
