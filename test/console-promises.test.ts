import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { createTestApp, withApi, type ApiUnderTest } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import { waitForStatus, waitForText } from './helpers/console-page';
import { useConsoleBrowser } from './helpers/console-suite';
import { createOrderFakes, eventually, startOrderAwaitingApproval } from './helpers/orders';
import { uniqueName } from './helpers/temporal';

// axe-core, run inside the page (evaluate is not subject to the page's content security policy).
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: string[] }[];
}

/** The WCAG 2 A and AA rules axe-core finds broken on the page as it is now: every control labelled, contrast, …. */
async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(options: object): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }))
      .violations;
  });
  return (violations as AxeViolation[]).map(
    (violation) =>
      `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`,
  );
}

describe('web console promises: accessible, the key in sessionStorage only, nothing leaves the origin', () => {
  const { server, withPage } = useConsoleBrowser();

  /** A page on the console of a fresh API (own worker, task queue and settings); records every request it makes. */
  async function withConsole(
    fn: (page: Page, api: ApiUnderTest & { baseUrl: string; requested: string[] }) => Promise<void>,
    env: Record<string, string> = {},
  ): Promise<void> {
    await withApi(
      server,
      (api) =>
        withPage(createTestApp(api.client, api.taskQueue, { env }), async (page, baseUrl, context) => {
          const requested: string[] = [];
          context.on('request', (request) => requested.push(request.url()));
          await fn(page, { ...api, baseUrl, requested });
        }),
      { activities: createOrderFakes().activities },
    );
  }

  it('has no WCAG 2 A/AA violation (axe-core) on the list, the start form and a run, and asks nothing of another origin', async () => {
    await withConsole(async (page, { app, baseUrl, requested }) => {
      const workflowId = await startOrderAwaitingApproval(app);
      const views = {
        list: async () => {
          await page.goto(`${baseUrl}/`);
          await page.locator('#runs, #runs-empty').first().waitFor();
        },
        'start form': async () => {
          await page.goto(`${baseUrl}/#/start/OrderFulfilment`);
          await waitForText(page, 'h1', /^Start OrderFulfilment$/);
        },
        run: async () => {
          await page.goto(`${baseUrl}/#/runs/${workflowId}`);
          await waitForText(page, '#progress [data-key="step"]', /^awaiting_approval$/);
        },
      };
      for (const [name, open] of Object.entries(views)) {
        await open();
        assert.deepEqual(await accessibilityViolations(page), [], `accessibility of the ${name}`);
      }
      // The check can fail: an input without a label is found.
      await page.evaluate(() => {
        const doc = (
          globalThis as unknown as {
            document: { body: { append(node: unknown): void }; createElement(tag: string): unknown };
          }
        ).document;
        doc.body.append(doc.createElement('input'));
      });
      assert.match((await accessibilityViolations(page)).join('\n'), /^label: /m);
      const origin = new URL(baseUrl).origin;
      assert.ok(requested.length > 0);
      assert.deepEqual(
        requested.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin),
        [],
        'every request the console made stayed on its own origin (it works offline)',
      );
    });
  });

  it('pages through more runs than one page holds: "Next page" shows the next runs, none twice, and "Previous page" goes back', async () => {
    await withConsole(async (page, { app, baseUrl }) => {
      // More runs than the console's page of 20, started by this test and listed once visibility has them all closed.
      // Closed, because Temporal's visibility lists running runs first and pages by a cursor on close time: a run
      // that closes between two page loads moves behind the cursor and shows again (a live list, as in Temporal's UI).
      const prefix = uniqueName('page');
      const mine = Array.from({ length: 25 }, (_, index) => `${prefix}-${String(index).padStart(2, '0')}`);
      for (const workflowId of mine)
        await request(app).post('/api/workflows/YourWorkflow').send({ workflowId, input: 'Pages' }).expect(200);
      await eventually(
        'every run listed as completed',
        async () => {
          const listed = await request(app).get('/api/workflows?type=YourWorkflow&status=COMPLETED&pageSize=100');
          const ids = new Set((listed.body.workflows as { workflowId: string }[]).map((run) => run.workflowId));
          return mine.every((id) => ids.has(id)) ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );

      await page.goto(`${baseUrl}/`);
      const rows = async (): Promise<string[]> => {
        await page.locator('#runs').waitFor();
        return page.locator('#runs tbody tr td[data-label="Workflow ID"]').allInnerTexts();
      };
      await page.selectOption('#filter-type', 'YourWorkflow');
      await page.click('#run-filters button[type="submit"]');
      await page.locator('[aria-busy="false"] > #runs').waitFor();
      const seen: string[] = [];
      const first = await rows();
      assert.equal(first.length, 20, 'a full first page');
      seen.push(...first);
      for (;;) {
        const next = page.getByRole('button', { name: 'Next page' });
        if ((await next.count()) === 0) break;
        // A click starts the load at once (aria-busy="true"); the page is in when it is false again.
        await next.click();
        await page.locator('[aria-busy="false"] > #runs').waitFor();
        seen.push(...(await rows()));
      }
      assert.equal(new Set(seen).size, seen.length, 'no run on two pages');
      assert.deepEqual(
        mine.filter((id) => !seen.includes(id)),
        [],
        'every run on some page',
      );
      await page.getByRole('button', { name: 'Previous page' }).click();
      await page.locator('[aria-busy="false"] > #runs').waitFor();
      assert.equal((await rows()).length, 20, 'a full page again');
    });
  });

  it('terminates a run from its page, with the reason given', async () => {
    await withConsole(async (page, { app, baseUrl, client }) => {
      const workflowId = await startOrderAwaitingApproval(app);
      await page.goto(`${baseUrl}/#/runs/${workflowId}`);
      await waitForText(page, '#progress [data-key="step"]', /^awaiting_approval$/);
      await page.fill('#terminate-reason', 'console test');
      await page.click('#terminate');
      await waitForStatus(page, 'TERMINATED');
      assert.equal(await page.isDisabled('#terminate'), true, 'a closed workflow cannot be terminated again');
      const description = await client.workflow.getHandle(workflowId).describe();
      assert.equal(description.status.name, 'TERMINATED');
      const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      const terminated = events.find((event) => event.workflowExecutionTerminatedEventAttributes);
      assert.equal(terminated?.workflowExecutionTerminatedEventAttributes?.reason, 'console test');
    });
  });

  it('asks a query from its generated form with the keyboard and shows the answer', async () => {
    await withConsole(async (page, { app, baseUrl }) => {
      const workflowId = await startOrderAwaitingApproval(app);
      await page.goto(`${baseUrl}/#/runs/${workflowId}`);
      await waitForText(page, '#progress [data-key="step"]', /^awaiting_approval$/);
      // The query's panel opens from its summary with Enter, and its form submits with Enter on its button.
      await page.focus('#query-status-panel > summary');
      await page.keyboard.press('Enter');
      await page.locator('#query-status button[type=submit]').waitFor();
      await page.focus('#query-status button[type=submit]');
      await page.keyboard.press('Enter');
      await waitForText(page, '#query-status-output', /Answer at/);
      await waitForText(page, '#query-status-output', /"step": ?"awaiting_approval"/);
    });
  });

  it('keeps the API key in sessionStorage only: not in localStorage, not in a cookie, not in another tab', async () => {
    const reader = testKey('reader', ['workflows:read']);
    await withConsole(async (page, { baseUrl }) => {
      await page.goto(`${baseUrl}/`);
      await page.locator('#sign-in').waitFor();
      assert.deepEqual(await accessibilityViolations(page), [], 'accessibility of the sign-in form');
      await page.fill('#api-key', reader.key);
      await page.click('#sign-in button[type=submit]');
      await waitForText(page, '#account', /Signed in as reader/);
      // No named helper inside: the function runs in the page, where the test transpiler's helpers do not exist.
      const stored = await page.evaluate(() => {
        const web = globalThis as unknown as {
          sessionStorage: Storage;
          localStorage: Storage;
          document: { cookie: string };
        };
        return {
          session: Object.values({ ...web.sessionStorage }) as string[],
          local: Object.values({ ...web.localStorage }) as string[],
          cookie: web.document.cookie,
        };
      });
      assert.ok(stored.session.includes(reader.key), 'the key is in sessionStorage');
      assert.deepEqual(stored.local, [], 'nothing in localStorage');
      assert.equal(stored.cookie, '', 'no cookie');
      const cookies = await page.context().cookies();
      assert.deepEqual(cookies, [], 'no cookie, httpOnly ones included');
      // Another tab of the same browser does not have it: it asks to sign in.
      const other = await page.context().newPage();
      await other.goto(`${baseUrl}/`);
      await other.locator('#sign-in').waitFor();
      await other.close();
    }, apiKeysEnv(reader));
  });
});
