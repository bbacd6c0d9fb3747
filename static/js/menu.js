// Escape closes the phone menu (a <details>, which opens and closes without this script)
// and puts focus back on its "Menu" button, as a keyboard user expects of a disclosure.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details.main-nav__toggle[open]")) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});
