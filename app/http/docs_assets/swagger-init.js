// Starts Swagger UI on the page's #swagger-ui, which names the document to render. A file of its
// own rather than an inline script: the page's Content-Security-Policy allows only 'self'.
"use strict";
const root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: root.dataset.openapiUrl,
  domNode: root,
  deepLinking: true,
  layout: "BaseLayout",
  presets: [SwaggerUIBundle.presets.apis],
  // The default validator badge sends the document to validator.swagger.io.
  validatorUrl: null,
});
