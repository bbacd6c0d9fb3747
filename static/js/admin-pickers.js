// The project editor's type-ahead pickers (wagtail-autocomplete): creating a new
// country, health theme or partner in place asks first, and when the site cannot create
// one (a country the map does not know) the field says why, with the closest names the
// site suggests, instead of "Failed to create new item".
(() => {
  const KINDS = {
    "partnerships.Country": "country",
    "partnerships.HealthTheme": "health theme",
    "partnerships.UKPartner": "UK partner",
    "partnerships.OverseasPartner": "overseas partner",
  };
  const siteFetch = window.fetch.bind(window);
  let lastPicker = null;

  document.addEventListener("focusin", (event) => {
    const picker = event.target.closest && event.target.closest(".c-wagtailautocomplete");
    if (picker) lastPicker = picker;
  });

  function say(picker, text) {
    if (!picker) return;
    let note = picker.parentElement.querySelector(".thet-picker-message");
    if (!text) {
      if (note) note.remove();
      return;
    }
    if (!note) {
      note = document.createElement("p");
      note.className = "thet-picker-message error-message";
      note.setAttribute("role", "alert");
      picker.after(note);
    }
    note.textContent = text;
  }

  // Leaves the picker as it was: no item added, and no generic error shown.
  const nothing = () => new Promise(() => {});

  window.fetch = async (resource, options = {}) => {
    const url = typeof resource === "string" ? resource : resource.url;
    const body = options.body;
    if (!url.endsWith("/autocomplete/create/") || !(body instanceof FormData)) {
      return siteFetch(resource, options);
    }
    const picker = lastPicker;
    const value = String(body.get("value") || "").trim();
    const kind = KINDS[body.get("type")] || "item";
    const question = `Create a new ${kind} “${value}”?\n\nChoose Cancel to pick an existing one from the list instead.`;
    if (!window.confirm(question)) return nothing();
    const response = await siteFetch(resource, options);
    if (response.ok) {
      say(picker, "");
      return response;
    }
    let message = `“${value}” could not be created.`;
    try {
      const errors = Object.values(await response.json()).flat();
      if (errors.length) message = String(errors[0]);
    } catch (error) {
      // Not JSON: keep the plain message.
    }
    say(picker, message);
    return nothing();
  };
})();
