import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { withApi, type ApiUnderTest } from './helpers/api';
import { DESKTOP, PHONE } from './helpers/browser';
import { screenshot, UI_TIMEOUT_MS, waitForText } from './helpers/console-page';
import { useConsoleBrowser } from './helpers/console-suite';
import { uniqueName } from './helpers/temporal';

describe('console Schedules page in headless Chromium, against the API, a worker and a real Temporal dev server', () => {
  const { server, withPage } = useConsoleBrowser();

  async function withConsole(
    fn: (page: Page, api: ApiUnderTest & { baseUrl: string }) => Promise<void>,
  ): Promise<void> {
    await withApi(server, (api) =>
      withPage(api.app, async (page, baseUrl) => {
        const pageErrors: string[] = [];
        page.on('pageerror', (error) => pageErrors.push(error.message));
        await fn(page, { ...api, baseUrl });
        assert.deepEqual(pageErrors, [], 'the page threw');
      }),
    );
  }

  it('creates a schedule from the contract form, shows its runs linking to them, pauses with a note, runs it now, deletes it', async () => {
    await withConsole(async (page, { baseUrl, client }) => {
      const scheduleId = uniqueName('console-greet');
      await page.goto(`${baseUrl}/`);
      await page.click('nav >> text=Schedules');
      await waitForText(page, 'h1', /^Schedules$/);
      await page.locator('#schedules, #schedules-empty').first().waitFor();

      // A bad spec: the server's 400 names the field, and nothing is created.
      await page.selectOption('#schedule-type', 'YourWorkflow');
      await page.fill('#schedule-form-scheduleId', scheduleId);
      assert.equal(
        await page.inputValue('#schedule-form-input'),
        'World',
        "the contract's example is the starting value",
      );
      await page.fill('#schedule-form-spec-every', '');
      await page.fill('#schedule-form-spec-cron', '0 25 * * *');
      await page.click('#schedule-form button[type=submit]');
      await waitForText(page, '#schedule-form-spec-cron-error', /not a cron string: hour field/);
      await screenshot(page, 'console-schedules-error-desktop');
      await assert.rejects(client.schedule.getHandle(scheduleId).describe());

      // Every 2 s, greeting "Console".
      await page.fill('#schedule-form-spec-cron', '');
      await page.fill('#schedule-form-spec-every', '2s');
      await page.fill('#schedule-form-input', 'Console');
      await page.click('#schedule-form button[type=submit]');
      await waitForText(page, 'h1', new RegExp(`^Schedule ${scheduleId}$`));
      try {
        await waitForText(page, '#schedule-state', /^Active$/);
        assert.ok((await page.locator('#next-runs li').count()) > 0, 'next runs listed');
        // Recent runs appear (reload the view until the first has run) and link to the run's page.
        const deadline = Date.now() + UI_TIMEOUT_MS;
        while ((await page.locator('#recent-runs a').count()) === 0) {
          assert.ok(Date.now() < deadline, 'no recent run appeared');
          await page.waitForTimeout(500);
          await page.reload();
          await page.locator('#schedule-facts').waitFor();
        }
        await screenshot(page, 'console-schedule-desktop');
        await page.setViewportSize(PHONE);
        await screenshot(page, 'console-schedule-phone');
        await page.setViewportSize(DESKTOP);

        // Pause with a note.
        await page.fill('#schedule-note-input', 'maintenance window');
        await page.click('#schedule-pause');
        await waitForText(page, '#schedule-state', /^Paused$/);
        await waitForText(page, '#schedule-note', /^maintenance window$/);
        const described = await client.schedule.getHandle(scheduleId).describe();
        assert.equal(described.state.paused, true);
        assert.equal(described.state.note, 'maintenance window');

        // Run now: one more run is taken while paused.
        const before = described.info.numActionsTaken;
        await page.click('#schedule-trigger');
        const runsAfter = async () => (await client.schedule.getHandle(scheduleId).describe()).info.numActionsTaken;
        const until = Date.now() + UI_TIMEOUT_MS;
        while ((await runsAfter()) <= before) {
          assert.ok(Date.now() < until, 'the triggered run never came');
          await page.waitForTimeout(200);
        }

        // Unpause (the button turns back), then follow a recent run to its page.
        await page.click('#schedule-pause');
        await waitForText(page, '#schedule-state', /^Active$/);
        const runLink = page.locator('#recent-runs a').first();
        const workflowId = (await runLink.textContent()) ?? '';
        await runLink.click();
        await waitForText(page, 'h1', new RegExp(`^${workflowId}$`));
        await waitForText(page, '#run-status', /^COMPLETED$/);

        // The list shows it (visibility is eventually consistent: reload until it does).
        await page.goto(`${baseUrl}/#/schedules`);
        const row = page.locator('#schedules a', { hasText: scheduleId });
        const listed = Date.now() + UI_TIMEOUT_MS;
        while (!(await row.isVisible())) {
          assert.ok(Date.now() < listed, `${scheduleId} never appeared in the list`);
          await page.waitForTimeout(300);
          await page.reload();
          await page.locator('#schedules, #schedules-empty').first().waitFor();
        }
        await screenshot(page, 'console-schedules-desktop');
        await row.click();
        await waitForText(page, 'h1', new RegExp(`^Schedule ${scheduleId}$`));

        // Delete: back to the list, and Temporal no longer knows it.
        await page.click('#schedule-delete');
        await waitForText(page, 'h1', /^Schedules$/);
        await assert.rejects(client.schedule.getHandle(scheduleId).describe());
      } finally {
        await client.schedule
          .getHandle(scheduleId)
          .delete()
          .catch(() => undefined);
      }
    });
  });
});
