import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { testEnv } from './test-env';

/**
 * Where the tests put their screenshots: a temporary folder, so a test run leaves the work tree as it found it; with
 * UPDATE_SCREENSHOTS=1 (`npm run screenshots`), docs/, where the README shows them.
 */
export const SCREENSHOT_DIR =
  testEnv.UPDATE_SCREENSHOTS === '1'
    ? join(__dirname, '..', '..', 'docs')
    : mkdtempSync(join(tmpdir(), 'temporal-http-screenshots-'));

/** Generous: a loaded 2-core machine runs the worker, the dev server and Chromium at once. */
export const UI_TIMEOUT_MS = 60_000;

/** Waits until the element's text matches `pattern`; fails with what the element said instead. */
export async function waitForText(
  page: Page,
  selector: string,
  pattern: RegExp,
  timeoutMs = UI_TIMEOUT_MS,
): Promise<string> {
  try {
    // A function, not a string: the API's content security policy forbids eval in the page. It runs in the page,
    // whose DOM types this Node-typed project does not load.
    await page.waitForFunction(
      ({ source, flags, css }) => {
        type Doc = { querySelector(css: string): { textContent: string | null } | null };
        const doc = (globalThis as unknown as { document: Doc }).document;
        return new RegExp(source, flags).test(doc.querySelector(css)?.textContent ?? '');
      },
      { source: pattern.source, flags: pattern.flags, css: selector },
      { timeout: timeoutMs },
    );
  } catch (error) {
    const seen = await page
      .locator(selector)
      .first()
      .textContent({ timeout: 1000 })
      .catch(() => '(no such element)');
    throw new Error(`${selector} never matched ${pattern}; it says: ${seen}`, { cause: error });
  }
  return (await page.locator(selector).first().textContent()) ?? '';
}

/** The run view's status badge reaching `status`. */
export function waitForStatus(page: Page, status: string): Promise<string> {
  return waitForText(page, '#run-status', new RegExp(`^${status}$`));
}

/** The id (or, with `text`, the text) of the element that has the keyboard focus. */
export async function focused(page: Page, what: 'id' | 'text' = 'id'): Promise<string | null> {
  const element = page.locator(':focus');
  return what === 'id' ? element.getAttribute('id') : element.textContent();
}

/** Opens a message's panel (a <details>) in the run view. */
export async function openMessage(page: Page, panelId: string): Promise<void> {
  await page.locator(`#${panelId} > summary`).click();
}

/** Saves a screenshot of the whole page to <SCREENSHOT_DIR>/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
}
