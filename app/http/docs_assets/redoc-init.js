// Starts Redoc on the page's #redoc, which names the document to render. A file of its own rather
// than an inline script: the page's Content-Security-Policy allows only 'self'.
"use strict";
const root = document.getElementById("redoc");
Redoc.init(root.dataset.openapiUrl, {}, root);
