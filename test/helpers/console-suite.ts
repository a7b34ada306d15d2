import { after, before } from 'node:test';
import type { Express } from 'express';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildConsole } from '../../scripts/build-console';
import { listen, useTestServer, type TestServer } from './api';
import { DESKTOP, launchChromium } from './browser';
import { UI_TIMEOUT_MS } from './console-page';

/**
 * The console suites' fixture: a real Temporal dev server for the file, the console built once and one headless
 * Chromium, closed after the file. `withPage` serves an app on a free port and opens a desktop page on it (the UI
 * timeout set) in a fresh browser context; both are closed when `fn` settles.
 */
export function useConsoleBrowser(): {
  server: TestServer;
  withPage<T>(app: Express, fn: (page: Page, baseUrl: string, context: BrowserContext) => Promise<T>): Promise<T>;
} {
  const server = useTestServer();
  let browser: Browser | undefined;

  before(async () => {
    await buildConsole();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  async function withPage<T>(
    app: Express,
    fn: (page: Page, baseUrl: string, context: BrowserContext) => Promise<T>,
  ): Promise<T> {
    if (!browser) throw new Error('no browser: withPage runs inside a test, after the suite has launched Chromium');
    const listening = await listen(app);
    const context = await browser.newContext({ viewport: DESKTOP });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(UI_TIMEOUT_MS);
      return await fn(page, listening.baseUrl, context);
    } finally {
      await context.close();
      await listening.close();
    }
  }

  return { server, withPage };
}
