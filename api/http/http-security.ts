import cors from 'cors';
import { Router } from 'express';
import helmet from 'helmet';
import type { Config } from '../../common/config';

/** What browser clients send: credentials, idempotency, SSE resumption, JSON. */
const ALLOWED_HEADERS = [
  'Authorization',
  'X-API-Key',
  'Idempotency-Key',
  'Last-Event-ID',
  'Content-Type',
  'X-Request-ID',
];
/** What they read back: the request id, where to look for a result, when to retry and how much is left. */
const EXPOSED_HEADERS = [
  'X-Request-ID',
  'Location',
  'Retry-After',
  'RateLimit',
  'RateLimit-Policy',
  'WWW-Authenticate',
];
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * Security headers on every answer (helmet, with a content security policy /docs works under: Swagger UI loads
 * its scripts and styles from /docs/assets and sets inline styles) and CORS for the API paths from the allow-list.
 */
export function browserSecurity(config: Pick<Config, 'CORS_ORIGINS'>, apiPaths: string[]): Router {
  const security = Router();
  security.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          'connect-src': ["'self'"],
          // The API is often reached over plain HTTP on a private network or localhost; do not rewrite its URLs.
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );
  security.use(
    apiPaths,
    cors({
      origin: config.CORS_ORIGINS,
      methods: ['GET', 'POST'],
      allowedHeaders: ALLOWED_HEADERS,
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: PREFLIGHT_MAX_AGE_S,
    }),
  );
  return security;
}
