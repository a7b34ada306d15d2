import express, { type Router } from 'express';
import getAbsoluteFSPath from 'swagger-ui-dist/absolute-path';

// Every URL is relative to /docs, so the page works behind a path prefix (a proxy serving it at /x/docs loads
// /x/docs/assets/… and /x/openapi.json).
const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Temporal HTTP API</title><link rel="stylesheet" href="docs/assets/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body></html>`;

const init = `window.ui = SwaggerUIBundle({ url: new URL('openapi.json', document.baseURI).href, dom_id: '#docs', deepLinking: true });`;

/** Serves /docs: Swagger UI over the OpenAPI document beside it, from the installed package so it works offline. */
export function docsRouter(): Router {
  const docs = express.Router({ strict: true });
  docs.use('/docs/assets', express.static(getAbsoluteFSPath(), { index: false }));
  docs.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(init);
  });
  docs.get('/docs', (_req, res) => {
    res.type('html').send(page);
  });
  // The page's relative URLs resolve from /docs, not /docs/.
  docs.get('/docs/', (_req, res) => {
    res.redirect(301, '../docs');
  });
  return docs;
}
