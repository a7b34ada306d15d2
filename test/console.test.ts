import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { createActivities } from '../activities';
import { fakeOrderServices } from '../activities/fakes';
import { destinationPolicyOf } from '../common/callbacks/destination';
import { loadConfig } from '../common/config';
import type { OrderFulfilmentOutput, OrderStatus } from '../workflows/order-fulfilment/order-fulfilment.contract';
import { createTestApp, withApi, workflowExists, type ApiUnderTest } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import { DESKTOP, PHONE } from './helpers/browser';
import { focused, openMessage, screenshot, UI_TIMEOUT_MS, waitForStatus, waitForText } from './helpers/console-page';
import { useConsoleBrowser } from './helpers/console-suite';
import { createOrderFakes, NEW_ADDRESS, startOrderAwaitingApproval } from './helpers/orders';
import { uniqueName } from './helpers/temporal';
import { startReceiver, TEST_WEBHOOK_SECRET } from './helpers/webhook-receiver';

const WEB_UI = 'http://localhost:8233';

describe('web console in headless Chromium, against the API, a worker and a real Temporal dev server', () => {
  const { server, withPage } = useConsoleBrowser();

  /** Runs `fn` with a page on the console of a fresh API (own worker and task queue), closing both after. */
  async function withConsole(
    fn: (page: Page, api: ApiUnderTest & { baseUrl: string }) => Promise<void>,
    activities = createOrderFakes().activities,
    // More settings for the API, as the environment would give them (e.g. API keys once auth is on).
    env: Record<string, string> = {},
  ): Promise<void> {
    await withApi(
      server,
      (api) =>
        // The API as `npm run dev` runs it: with the Web UI's address, so runs link there. `api.app`, the harness's
        // own app, keeps its default settings.
        withPage(
          createTestApp(api.client, api.taskQueue, { env: { TEMPORAL_UI_URL: WEB_UI, ...env } }),
          async (page, baseUrl) => {
            const pageErrors: string[] = [];
            page.on('pageerror', (error) => pageErrors.push(error.message));
            await fn(page, { ...api, baseUrl });
            assert.deepEqual(pageErrors, [], 'the page threw');
          },
        ),
      { activities },
    );
  }

  it('starts a workflow from its generated form with the keyboard alone, and shows its result and the list', async () => {
    await withConsole(async (page, { baseUrl, client }) => {
      await page.goto(`${baseUrl}/`);
      await page.locator('#workflow-types').waitFor();
      await page.locator('#runs, #runs-empty').first().waitFor();
      // The view's heading has focus; the first stop after it is the first workflow type's start link.
      await page.keyboard.press('Tab');
      assert.equal(await focused(page, 'text'), 'Start YourWorkflow');
      await page.keyboard.press('Enter');
      await waitForText(page, 'h1', /^Start YourWorkflow$/);
      await page.keyboard.press('Tab');
      assert.equal(await focused(page), 'start-form-workflowId');
      const workflowId = uniqueName('greeting');
      await page.keyboard.type(workflowId);
      await page.keyboard.press('Tab');
      assert.equal(await focused(page), 'start-form-input');
      assert.equal(await page.inputValue('#start-form-input'), 'World', "the contract's example is the starting value");
      await page.fill('#start-form-input', '');
      await page.keyboard.type('Console');
      await page.keyboard.press('Enter');

      await waitForText(page, 'h1', new RegExp(`^${workflowId}$`));
      await waitForStatus(page, 'COMPLETED');
      await waitForText(page, '#result', /"Hello, Console!"/);
      assert.equal(await client.workflow.getHandle(workflowId).result(), 'Hello, Console!');

      // The list: filtered by type, it shows the run (visibility is eventually consistent: refresh until it does).
      await page.goto(`${baseUrl}/#/`);
      await page.selectOption('#filter-type', 'YourWorkflow');
      await page.selectOption('#filter-status', 'COMPLETED');
      const row = page.locator('#runs a', { hasText: workflowId });
      const deadline = Date.now() + UI_TIMEOUT_MS;
      while (!(await row.isVisible())) {
        assert.ok(Date.now() < deadline, `${workflowId} never appeared in the list`);
        await page.click('#run-filters button[type=submit]');
        await page.locator('[aria-busy="false"]').first().waitFor();
      }
      await screenshot(page, 'console-home-desktop');
      await page.setViewportSize(PHONE);
      await screenshot(page, 'console-home-phone');
      await row.click();
      await waitForText(page, 'h1', new RegExp(`^${workflowId}$`));
    });
  });

  it('shows input errors before submitting and the server’s field errors after, starting nothing', async () => {
    await withConsole(async (page, { baseUrl, client }) => {
      const workflowId = uniqueName('bad-order');
      await page.goto(`${baseUrl}/#/start/OrderFulfilment`);
      await page.fill('#start-form-workflowId', workflowId);
      await page.fill('#start-form-input-customerId', '');
      await page.fill('#start-form-input-items-0-quantity', 'two');
      await page.click('#start-form button[type=submit]');

      await waitForText(page, '#start-form-input-customerId-error', /Required/);
      await waitForText(page, '#start-form-input-items-0-quantity-error', /Must be a number/);
      assert.equal(await page.getAttribute('#start-form-input-customerId', 'aria-invalid'), 'true');
      assert.match(page.url(), /#\/start\/OrderFulfilment$/);
      await screenshot(page, 'console-start-errors-desktop');

      // Valid as far as the JSON Schema goes (two capitals), but no ISO country: only the server knows.
      await page.fill('#start-form-input-customerId', 'customer-42');
      await page.fill('#start-form-input-items-0-quantity', '2');
      await page.fill('#start-form-input-shippingAddress-country', 'XX');
      await page.click('#start-form button[type=submit]');
      await waitForText(page, '#start-form-input-shippingAddress-country-error', /ISO 3166-1 alpha-2/);
      await waitForText(page, '#start-form-output', /BAD_REQUEST/);
      assert.equal(await page.textContent('#start-form-input-customerId-error'), '', 'fixed fields show no error');
      assert.match(page.url(), /#\/start\/OrderFulfilment$/);
      assert.equal(await workflowExists(client, workflowId), false, 'a refused start must start nothing');
    });
  });

  it("watches an order's progress live until it completes", async () => {
    // Slow legs, so that shipping (and its progress) is on screen for a while.
    const fakes = createOrderFakes({ steps: 4, stepMs: 1_500 });
    await withConsole(async (page, { baseUrl, client }) => {
      const orderId = uniqueName('order');
      await page.goto(`${baseUrl}/#/start/OrderFulfilment`);
      await page.fill('#start-form-workflowId', orderId);
      await page.fill('#start-form-input-orderId', orderId);
      await screenshot(page, 'console-start-desktop');
      await page.click('#start-form button[type=submit]');

      await waitForText(page, 'h1', new RegExp(`^${orderId}$`));
      const { runId } = await client.workflow.getHandle(orderId).describe();
      await page.locator('#temporal-ui-link').waitFor();
      assert.equal(
        await page.getAttribute('#temporal-ui-link', 'href'),
        `${WEB_UI}/namespaces/default/workflows/${orderId}/${runId}/history`,
      );
      await waitForText(page, '#progress [data-key="step"]', /^shipping$/);
      assert.ok(Number(await page.getAttribute('#progress-bar', 'value')) > 0.5, 'the bar shows the steps done');
      await screenshot(page, 'console-run-desktop');
      await page.setViewportSize(PHONE);
      await screenshot(page, 'console-run-phone');
      await page.setViewportSize(DESKTOP);

      await waitForStatus(page, 'COMPLETED');
      const result = await client.workflow.getHandle(orderId).result();
      const shown = JSON.parse(await waitForText(page, '#result', /trackingNumber/)) as OrderFulfilmentOutput;
      assert.deepEqual(shown, result);
    }, fakes.activities);
  });

  it('approves an order, changes its address before shipping and sees the change rejected once shipping started', async () => {
    // Shipping lasts long enough (40 legs of a second) for the second change to arrive while it runs.
    const fakes = createOrderFakes({ steps: 40, stepMs: 1_000 });
    await withConsole(async (page, { app, baseUrl, client }) => {
      const workflowId = await startOrderAwaitingApproval(app);
      await page.goto(`${baseUrl}/#/runs/${workflowId}`);
      await waitForText(page, '#progress [data-key="step"]', /^awaiting_approval$/);

      await openMessage(page, 'update-changeShippingAddress-panel');
      const field = (name: string): string => `#update-changeShippingAddress-shippingAddress-${name}`;
      for (const [name, value] of Object.entries(NEW_ADDRESS)) await page.fill(field(name), value);
      await page.click('#update-changeShippingAddress button[type=submit]');
      await waitForText(page, '#update-changeShippingAddress-output', /Grace Hopper/);

      await openMessage(page, 'signal-approve-panel');
      await page.fill('#signal-approve-approvedBy', 'console-tester');
      await page.click('#signal-approve button[type=submit]');
      await waitForText(page, '#signal-approve-output', /Signal approve sent/);
      await waitForText(page, '#progress [data-key="step"]', /^shipping$/);

      await page.fill(field('name'), 'Too Late');
      await page.click('#update-changeShippingAddress button[type=submit]');
      await waitForText(page, '#update-changeShippingAddress-output', /the order has shipped/);
      await screenshot(page, 'console-messages-desktop');

      const status = await client.workflow.getHandle(workflowId).query<OrderStatus>('status');
      assert.equal(status.approval.approvedBy, 'console-tester');
      assert.deepEqual(status.shippingAddress, NEW_ADDRESS, 'the rejected change changed nothing');
      await client.workflow.getHandle(workflowId).terminate('test over');
    }, fakes.activities);
  });

  it('copies an action link next to a signal, and the link approves the order without a key', async () => {
    await withConsole(
      async (page, { app, baseUrl, client }) => {
        const workflowId = await startOrderAwaitingApproval(app);
        await page.goto(`${baseUrl}/#/runs/${workflowId}`);
        await waitForText(page, '#progress [data-key="step"]', /^awaiting_approval$/);
        await openMessage(page, 'signal-approve-panel');
        await page.click('#signal-approve-copy-link');
        await waitForText(page, '#signal-approve-link', /acts once/);
        const url = (await page.textContent('#signal-approve-link code')) ?? '';
        assert.ok(url.startsWith(`${baseUrl}/api/links/`), url);
        assert.equal(
          (await client.workflow.getHandle(workflowId).query<OrderStatus>('status')).step,
          'awaiting_approval',
        );

        const used = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ approvedBy: 'link-from-console' }),
        });
        assert.equal(used.status, 200, await used.text());
        const status = await client.workflow.getHandle(workflowId).query<OrderStatus>('status');
        assert.equal(status.approval.approvedBy, 'link-from-console');
      },
      createOrderFakes().activities,
      { ACTION_LINK_SIGNING_SECRET: 'console-test-action-link-secret-0123456789' },
    );
  });

  it('cancels an order, which then shows CANCELLED with its cause', async () => {
    await withConsole(async (page, { app, baseUrl, client }) => {
      const workflowId = await startOrderAwaitingApproval(app);
      await page.goto(`${baseUrl}/#/runs/${workflowId}`);
      await waitForText(page, '#progress [data-key="step"]', /^awaiting_approval$/);
      await page.click('#cancel');
      await waitForStatus(page, 'CANCELLED');
      await waitForText(page, '#failure', /Cancel/i);
      assert.equal(await page.isDisabled('#cancel'), true, 'a closed workflow cannot be cancelled again');
      assert.equal((await client.workflow.getHandle(workflowId).describe()).status.name, 'CANCELLED');
    });
  });
  it('signs in with a key that may only read, and shows starting and cancelling as unavailable', async () => {
    const reader = testKey('reader', ['workflows:read']);
    await withConsole(
      async (page, { app, baseUrl, client }) => {
        // Started through the harness's own app (auth off there), for the reader to look at.
        const workflowId = await startOrderAwaitingApproval(app);
        await page.goto(`${baseUrl}/`);
        await page.locator('#sign-in').waitFor();
        await page.fill('#api-key', 'thk_not-a-key-we-know');
        await page.click('#sign-in button[type=submit]');
        await waitForText(page, '#sign-in [role=alert]', /Key refused/);
        await page.fill('#api-key', reader.key);
        await page.click('#sign-in button[type=submit]');
        await waitForText(page, '#account', /Signed in as reader/);
        await waitForText(page, '#main', /Starting is unavailable to your key/);
        await page.goto(`${baseUrl}/#/start/YourWorkflow`);
        await waitForText(page, 'h1', /^Start YourWorkflow$/);
        await waitForText(page, '#start-form .unavailable', /Unavailable: .*workflows:start/);
        assert.equal(
          await page.isDisabled('#start-form button[type=submit]'),
          true,
          'the start form is disabled, not failing',
        );
        await screenshot(page, 'console-read-only');
        // Reading still works: the run and its progress, with cancel shown as unavailable.
        await page.goto(`${baseUrl}/#/runs/${workflowId}`);
        await waitForText(page, '#progress [data-key="step"]', /^awaiting_approval$/);
        await waitForText(page, '#main', /Unavailable: your key lacks workflows:cancel/);
        assert.equal((await client.workflow.getHandle(workflowId).describe()).status.name, 'RUNNING');
      },
      undefined,
      apiKeysEnv(reader),
    );
  });

  it("shows a run's callbacks and how their delivery went", async () => {
    const receiver = await startReceiver();
    const env = {
      CALLBACK_ALLOWED_URLS: '127.0.0.1',
      CALLBACK_ALLOWED_NETWORKS: '127.0.0.0/8',
      CALLBACK_SIGNING_SECRET: TEST_WEBHOOK_SECRET,
    };
    const config = loadConfig(env);
    const webhooks = { secrets: config.CALLBACK_SIGNING_SECRET, policy: destinationPolicyOf(config) };
    try {
      await withConsole(
        async (page, { baseUrl }) => {
          const workflowId = uniqueName('console-callback');
          const started = await fetch(`${baseUrl}/api/workflows/YourWorkflow`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ input: 'Console', workflowId, callback: { url: receiver.url } }),
          });
          assert.equal(started.status, 200);
          await receiver.waitFor(workflowId, UI_TIMEOUT_MS);
          await page.goto(`${baseUrl}/#/runs/${workflowId}`);
          await waitForStatus(page, 'COMPLETED');
          await waitForText(page, '#callbacks-list', new RegExp(`${receiver.url}.*DELIVERED`));
        },
        createActivities({ ...fakeOrderServices(), webhooks }),
        env,
      );
    } finally {
      await receiver.process.stop('SIGTERM', 2_000);
    }
  });
});
