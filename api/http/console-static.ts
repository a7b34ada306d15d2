import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import express, { type Router } from 'express';

/** dist/console, whether this file runs from source (api/http/) or compiled (dist/api/http/). */
export function consoleDirectory(): string {
  const parent = resolve(__dirname, '..', '..');
  return basename(parent) === 'dist' ? resolve(parent, 'console') : resolve(parent, 'dist', 'console');
}

const NOT_BUILT = 'The web console is not built: run `npm run build` (or `npm run dev`, which builds it).';

/** Serves the web console (static files built by `npm run build` from console/) at /. */
export function consoleRouter(directory: string = consoleDirectory()): Router {
  const serve = express.Router();
  serve.use(
    express.static(directory, {
      index: 'index.html',
      // File names carry no hash: revalidate, so a rebuilt console is never mixed with a cached old one.
      setHeaders: (res) => res.setHeader('cache-control', 'no-cache'),
    }),
  );
  serve.get('/', (_req, res) => {
    res
      .status(503)
      .type('text/plain')
      .send(existsSync(directory) ? 'The web console has no index.html' : NOT_BUILT);
  });
  return serve;
}
