// Start the NHS.UK frontend components (header menu, error summary focus, password toggle, ...),
// and again inside content that htmx swaps in.
import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

initAll();
document.addEventListener("htmx:afterSettle", (event) => {
  if (event.target instanceof Element && event.target !== document.body) {
    initAll({ scope: event.target });
  }
});
