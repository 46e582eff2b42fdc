// Start Swagger UI for /docs (a file, not an inline script: the CSP allows scripts from 'self' only).
// validatorUrl: null keeps the "valid schema" badge from calling validator.swagger.io.
// deepLinking: false because a deep link is an <a href> inside each operation's button, which
// axe reports as nested interactive controls (a keyboard and screen-reader trap).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle === "undefined") { return; }
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url") || "/openapi.json",
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: false,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
  });
})();
