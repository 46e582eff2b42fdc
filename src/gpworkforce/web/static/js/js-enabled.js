// NHS.UK frontend's body-class snippet, as a file because the CSP blocks inline scripts.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
