// Swagger UI of /api/docs/: the schema's URL comes from the page (data-schema-url), so the
// page needs no inline script under the Content-Security-Policy.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: node.getAttribute("data-schema-url"),
    domNode: node,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    persistAuthorization: false,
    requestInterceptor: function (request) {
      // Session users' writes need the CSRF token (the cookie is HttpOnly: the page holds it).
      var csrf = node.getAttribute("data-csrf-token");
      if (csrf) {
        request.headers["X-CSRFToken"] = csrf;
      }
      return request;
    },
  });
})();
