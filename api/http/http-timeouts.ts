import type { Server } from 'node:http';
import type { Config } from '../../common/config';

/**
 * Slow clients cannot hold the server: they get HTTP_HEADERS_TIMEOUT_MS to send the headers and
 * HTTP_REQUEST_TIMEOUT_MS to send the whole request (the answer, a bounded wait or a progress stream, is not
 * limited by these), and an idle kept-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS.
 */
export function applyHttpTimeouts(
  server: Server,
  config: Pick<Config, 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_REQUEST_TIMEOUT_MS' | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'>,
): void {
  server.headersTimeout = config.HTTP_HEADERS_TIMEOUT_MS;
  server.requestTimeout = Math.max(config.HTTP_REQUEST_TIMEOUT_MS, config.HTTP_HEADERS_TIMEOUT_MS);
  server.keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_MS;
}
