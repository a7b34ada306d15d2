import { createServer, type RequestListener, type Server } from 'node:http';
import type { Config } from '../../common/config';

type TimeoutConfig = Pick<
  Config,
  | 'HTTP_HEADERS_TIMEOUT_MS'
  | 'HTTP_REQUEST_TIMEOUT_MS'
  | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'
  | 'HTTP_TIMEOUT_CHECK_INTERVAL_MS'
>;

/**
 * The API's HTTP server. Slow clients cannot hold it: they get HTTP_HEADERS_TIMEOUT_MS to send the headers and
 * HTTP_REQUEST_TIMEOUT_MS to send the whole request (the answer, a bounded wait or a progress stream, is not
 * limited by these), and an idle kept-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS. Node checks the
 * first two only every `connectionsCheckingInterval` (30 s unless told): HTTP_TIMEOUT_CHECK_INTERVAL_MS keeps the
 * promise within that much.
 */
export function createHttpServer(app: RequestListener, config: TimeoutConfig): Server {
  const server = createServer({ connectionsCheckingInterval: config.HTTP_TIMEOUT_CHECK_INTERVAL_MS }, app);
  server.headersTimeout = config.HTTP_HEADERS_TIMEOUT_MS;
  server.requestTimeout = Math.max(config.HTTP_REQUEST_TIMEOUT_MS, config.HTTP_HEADERS_TIMEOUT_MS);
  server.keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_MS;
  return server;
}
