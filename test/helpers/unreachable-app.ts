import { before } from 'node:test';
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import { createTestApp } from './api';
import { uniqueName } from './temporal';
import { useUnreachableTemporal } from './unreachable-temporal';

/**
 * For suites whose requests never reach Temporal: the app with settings `env`, over a Temporal nothing listens on
 * (useUnreachableTemporal), made before the suite's tests on a task queue named after `name`. Read `app` in a test;
 * `client()` gives a Client over the same connection, for apps a test makes with other settings.
 */
export function useUnreachableApp(
  name: string,
  env: Record<string, string>,
): { readonly app: Express; client(): Client } {
  const temporal = useUnreachableTemporal();
  let app: Express | undefined;
  before(() => {
    app = createTestApp(temporal.client(), uniqueName(name), { env });
  });
  return {
    get app() {
      if (!app) throw new Error('no app: read it in a hook or test, after the suite has started');
      return app;
    },
    client: () => temporal.client(),
  };
}
