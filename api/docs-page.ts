import express, { type Router } from 'express';
import getAbsoluteFSPath from 'swagger-ui-dist/absolute-path';

const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Temporal HTTP API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body></html>`;

const init = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs', deepLinking: true });`;

/** Serves /docs: Swagger UI over /openapi.json, from the installed package so it works offline. */
export function docsRouter(): Router {
  const docs = express.Router();
  docs.use('/docs/assets', express.static(getAbsoluteFSPath(), { index: false }));
  docs.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(init);
  });
  docs.get('/docs', (_req, res) => {
    res.type('html').send(page);
  });
  return docs;
}
