import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { assertCleanErrorBody, useTestServer, withApi, type ApiUnderTest } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import { eventually } from './helpers/orders';
import { uniqueName } from './helpers/temporal';

const scopes = ['workflows:read', 'workflows:start', 'schedules:read', 'schedules:write'] as const;
const acme = testKey('acme-scheduler', [...scopes], { tenant: 'acme' });
const globex = testKey('globex-scheduler', [...scopes], { tenant: 'globex' });
const readOnly = testKey('schedule-reader', ['schedules:read'], { tenant: 'acme' });
const yourOnly = testKey('your-only-scheduler', [...scopes], { tenant: 'acme', workflowTypes: ['YourWorkflow'] });
const env = apiKeysEnv(acme, globex, readOnly, yourOnly);

interface ScheduleBody {
  scheduleId: string;
  state: { paused: boolean; note: string | null };
  info: {
    nextActionTimes: string[];
    recentActions: { workflowId: string; runId: string }[];
    runningWorkflowIds: string[];
    numActionsTaken: number;
    numActionsSkippedOverlap: number;
  };
}

const as = (key: string) => ({
  get: (app: Express, path: string) => request(app).get(path).set('x-api-key', key),
  send: (app: Express, method: 'post' | 'put' | 'patch' | 'delete', path: string, body: object = {}) =>
    request(app)[method](path).set('x-api-key', key).send(body),
});
const A = as(acme.key);
const B = as(globex.key);

const describeOf = async (app: Express, id: string): Promise<ScheduleBody> =>
  (await A.get(app, `/api/schedules/${id}`).expect(200)).body as ScheduleBody;

/** Waits until the schedule's description satisfies `check`. */
const until = (app: Express, id: string, what: string, check: (body: ScheduleBody) => boolean, timeoutMs = 15_000) =>
  eventually(
    what,
    async () => {
      const body = await describeOf(app, id);
      return check(body) ? body : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  );

/** A schedule of YourWorkflow under a fresh ID (`prefix`-…), with `fields` (its spec, state) added. */
const yourSchedule = <F extends object>(prefix: string, input: string, fields: F) => ({
  scheduleId: uniqueName(prefix),
  workflowType: 'YourWorkflow',
  input,
  ...fields,
});

/** Deletes a schedule the test made, whatever the test's outcome. */
async function deleting<T>(app: Express, id: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await A.send(app, 'delete', `/api/schedules/${id}`);
  }
}

describe('schedules, against a real dev server', () => {
  const server = useTestServer();
  /** A test body run against the app with this file's keys (env) and a worker of its own. */
  const withSchedules = (fn: (api: ApiUnderTest) => Promise<void>) => (): Promise<void> => withApi(server, fn, {}, env);

  it(
    'refuses bad specs and inputs with a 400 naming the field, and creates nothing',
    withSchedules(async ({ app }) => {
      const valid = yourSchedule('bad', 'World', { spec: { intervals: [{ every: '1h' }] } });
      const { scheduleId } = valid;
      const cases: [string, object, RegExp][] = [
        ['unknown workflow type', { ...valid, workflowType: 'NoSuchWorkflow' }, /^workflowType$/],
        ['input the contract refuses', { ...valid, input: '' }, /^input$/],
        [
          'input of the wrong shape',
          { ...valid, workflowType: 'StartActivityWorkflow', input: { name: 1 } },
          /^input\.name$/,
        ],
        [
          'cron that does not parse',
          { ...valid, spec: { cronExpressions: ['0 25 * * *'] } },
          /^spec\.cronExpressions\.0$/,
        ],
        [
          'cron with too few fields',
          { ...valid, spec: { cronExpressions: ['every day'] } },
          /^spec\.cronExpressions\.0$/,
        ],
        ['unknown time zone', { ...valid, spec: { ...valid.spec, timezone: 'Mars/Olympus' } }, /^spec\.timezone$/],
        ['interval under a second', { ...valid, spec: { intervals: [{ every: 500 }] } }, /^spec\.intervals\.0\.every$/],
        [
          'interval that is no duration',
          { ...valid, spec: { intervals: [{ every: 'soon' }] } },
          /^spec\.intervals\.0\.every$/,
        ],
        [
          'end before start',
          { ...valid, spec: { ...valid.spec, startAt: '2030-01-02T00:00:00Z', endAt: '2030-01-01T00:00:00Z' } },
          /^spec\.endAt$/,
        ],
        ['calendar hour out of range', { ...valid, spec: { calendars: [{ hour: 25 }] } }, /^spec\.calendars\.0\.hour/],
        [
          'calendar day that is no day',
          { ...valid, spec: { calendars: [{ dayOfWeek: 'FUNDAY' }] } },
          /^spec\.calendars\.0\.dayOfWeek/,
        ],
        ['a spec that never fires', { ...valid, spec: { timezone: 'UTC' } }, /^spec$/],
        ['unknown overlap policy', { ...valid, policies: { overlap: 'SOMETIMES' } }, /^policies\.overlap$/],
        ['unknown field', { ...valid, cron: '* * * * *' }, /^cron$/],
      ];
      for (const [what, body, field] of cases) {
        const response = await A.send(app, 'post', '/api/schedules', body);
        assertCleanErrorBody(response, 400);
        const fields = (response.body.data.fieldErrors as { path: string }[]).map((issue) => issue.path);
        assert.ok(
          fields.some((path) => field.test(path)),
          `${what}: ${response.text}`,
        );
      }
      // tRPC answers the same.
      const trpc = await request(app)
        .post('/trpc/schedules.create')
        .set('x-api-key', acme.key)
        .send({ ...valid, spec: { intervals: [{ every: '100ms' }] } });
      assert.equal(trpc.status, 400);
      assert.match(trpc.text, /spec\.intervals\.0\.every: must be at least 1 second/);
      // Nothing was created by any of them.
      assertCleanErrorBody(await A.get(app, `/api/schedules/${scheduleId}`), 404);
      // A read-only key cannot create; a key limited to some workflow types cannot schedule another.
      assertCleanErrorBody(await as(readOnly.key).send(app, 'post', '/api/schedules', valid), 403);
      const otherType = await as(yourOnly.key).send(app, 'post', '/api/schedules', {
        ...valid,
        workflowType: 'ActivityTimeoutWorkflow',
        input: { name: 'x', timeout: 'startToClose', timeoutMs: 1000 },
      });
      assertCleanErrorBody(otherType, 403);
      assert.match(otherType.body.message, /ActivityTimeoutWorkflow/);
      assertCleanErrorBody(await A.get(app, `/api/schedules/${scheduleId}`), 404);
    }),
  );

  it(
    'an every-2s schedule starts runs that complete and that only its tenant lists; pause, trigger, backfill, delete',
    withSchedules(async ({ app }) => {
      const scheduleId = uniqueName('greet');
      const created = await A.send(app, 'post', '/api/schedules', {
        scheduleId,
        workflowType: 'YourWorkflow',
        input: 'Schedule',
        spec: { intervals: [{ every: '2s' }] },
      }).expect(200);
      assert.equal(created.body.scheduleId, scheduleId);
      assert.ok(created.body.info.nextActionTimes.length > 0, created.text);
      await deleting(app, scheduleId, async () => {
        // Its first run completes, and the tenant reads it by the ID the schedule reports.
        const fired = await until(app, scheduleId, 'a first action', (body) => body.info.recentActions.length > 0);
        const run = fired.info.recentActions[0]!;
        assert.ok(run.workflowId.startsWith(scheduleId), run.workflowId);
        assert.ok(!run.workflowId.includes('~'), 'the tenant prefix stays hidden');
        const result = await A.get(app, `/api/workflows/${run.workflowId}/result?waitMs=10000`).expect(200);
        assert.equal(result.body.status, 'COMPLETED');
        assert.equal(result.body.result, 'Hello, Schedule!');

        // Its runs are listed for its tenant, and not for another.
        await eventually('the run in acme’s list', async () => {
          const list = await A.get(app, '/api/workflows?type=YourWorkflow&pageSize=100').expect(200);
          return (list.body.workflows as { workflowId: string }[]).some((w) => w.workflowId === run.workflowId)
            ? true
            : undefined;
        });
        const theirs = await B.get(app, '/api/workflows?type=YourWorkflow&pageSize=100').expect(200);
        assert.deepEqual(theirs.body.workflows, []);
        assertCleanErrorBody(await B.get(app, `/api/workflows/${run.workflowId}`), 404);

        // The schedule itself is listed for its tenant only.
        await eventually('the schedule in acme’s list', async () => {
          const list = await A.get(app, '/api/schedules?pageSize=100').expect(200);
          return (list.body.schedules as { scheduleId: string }[]).some((s) => s.scheduleId === scheduleId)
            ? true
            : undefined;
        });
        const globexList = await B.get(app, '/api/schedules?pageSize=100').expect(200);
        assert.ok(
          !(globexList.body.schedules as { scheduleId: string }[]).some((s) => s.scheduleId === scheduleId),
          globexList.text,
        );

        // Another tenant cannot see, change or trigger it.
        const path = `/api/schedules/${scheduleId}`;
        const attempts: [string, request.Test][] = [
          ['describe', B.get(app, path)],
          ['matching times', B.get(app, `${path}/matching-times?from=2030-01-01T00:00:00Z&to=2030-01-01T00:01:00Z`)],
          [
            'replace',
            B.send(app, 'put', path, {
              workflowType: 'YourWorkflow',
              input: 'x',
              spec: { intervals: [{ every: '1h' }] },
            }),
          ],
          ['patch', B.send(app, 'patch', path, { spec: { intervals: [{ every: '1h' }] } })],
          ['pause', B.send(app, 'post', `${path}/pause`, { note: 'mallory' })],
          ['unpause', B.send(app, 'post', `${path}/unpause`)],
          ['trigger', B.send(app, 'post', `${path}/trigger`)],
          [
            'backfill',
            B.send(app, 'post', `${path}/backfill`, { start: '2030-01-01T00:00:00Z', end: '2030-01-01T00:01:00Z' }),
          ],
          ['delete', B.send(app, 'delete', path)],
        ];
        for (const [what, attempt] of attempts) {
          const response = await attempt;
          assert.equal(response.status, 404, `${what}: ${response.text}`);
          assert.equal(response.body.code, 'NOT_FOUND', what);
        }

        // Pause: the note is recorded (Temporal still lists the spec's next times; none of them fires).
        const paused = await A.send(app, 'post', `${path}/pause`, { note: 'quiet please' }).expect(200);
        assert.equal(paused.body.state.paused, true);
        assert.equal(paused.body.state.note, 'quiet please');
        const takenWhenPaused = (await describeOf(app, scheduleId)).info.numActionsTaken;

        // Trigger starts a run at once, paused or not.
        await A.send(app, 'post', `${path}/trigger`, { overlap: 'ALLOW_ALL' }).expect(200);
        const triggered = await until(
          app,
          scheduleId,
          'the triggered run',
          (body) => body.info.numActionsTaken === takenWhenPaused + 1,
          5_000,
        );
        // Two of the spec's times pass while it is paused (the wait is the schedule's own, not a guess), and
        // nothing but the triggered run was taken: the pause holds.
        const due = Date.parse(paused.body.info.nextActionTimes[1] as string);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now()) + 1_000));
        const afterDue = await describeOf(app, scheduleId);
        assert.equal(afterDue.info.numActionsTaken, triggered.info.numActionsTaken, JSON.stringify(afterDue.info));

        // Backfill: the past 10 s at every 2 s are 5 or 6 actions, started now.
        const end = new Date(Date.now() - 60_000);
        const start = new Date(end.getTime() - 10_000);
        const dryRun = await A.get(
          app,
          `${path}/matching-times?from=${start.toISOString()}&to=${end.toISOString()}`,
        ).expect(200);
        assert.ok(dryRun.body.times.length >= 5, dryRun.text);
        await A.send(app, 'post', `${path}/backfill`, {
          start: start.toISOString(),
          end: end.toISOString(),
          overlap: 'ALLOW_ALL',
        }).expect(200);
        await until(
          app,
          scheduleId,
          'the backfilled runs',
          (body) => body.info.numActionsTaken >= triggered.info.numActionsTaken + dryRun.body.times.length,
        );

        // Unpause: actions are due again.
        const unpaused = await A.send(app, 'post', `${path}/unpause`, { note: 'back on' }).expect(200);
        assert.equal(unpaused.body.state.paused, false);
        assert.ok(unpaused.body.info.nextActionTimes.length > 0);
      });
      // Deleted: 404 after.
      assertCleanErrorBody(await A.get(app, `/api/schedules/${scheduleId}`), 404);
      assertCleanErrorBody(await A.send(app, 'delete', `/api/schedules/${scheduleId}`), 404);
    }),
  );

  it(
    'overlap SKIP: a run that outlasts the interval makes the next actions skip',
    withSchedules(async ({ app }) => {
      const scheduleId = uniqueName('slow');
      await A.send(app, 'post', '/api/schedules', {
        scheduleId,
        workflowType: 'ActivityTimeoutWorkflow',
        // The run outlasts the whole test (terminated at its end), so however slow the machine, no second run starts.
        input: { name: 'slow', timeout: 'startToClose', timeoutMs: 120_000, activityDelayMs: 90_000 },
        spec: { intervals: [{ every: '1s' }] },
        policies: { overlap: 'SKIP' },
      }).expect(200);
      await deleting(app, scheduleId, async () => {
        const skipped = await until(
          app,
          scheduleId,
          'a skipped action',
          (body) => body.info.numActionsSkippedOverlap >= 2,
        );
        assert.ok(skipped.info.runningWorkflowIds.length <= 1, JSON.stringify(skipped.info));
        assert.equal(skipped.info.numActionsTaken, 1, 'one run while it is open, the rest skipped');
        // Same tenant, but a key limited to YourWorkflow: this schedule of another type is not there for it.
        assertCleanErrorBody(await as(yourOnly.key).get(app, `/api/schedules/${scheduleId}`), 404);
        assertCleanErrorBody(await as(yourOnly.key).send(app, 'post', `/api/schedules/${scheduleId}/trigger`), 404);
        await A.send(app, 'post', `/api/schedules/${scheduleId}/pause`).expect(200);
        for (const workflowId of skipped.info.runningWorkflowIds)
          await A.send(app, 'post', `/api/workflows/${workflowId}/terminate`, { reason: 'test done' });
      });
    }),
  );

  it(
    'creating an existing ID is a 409 naming it; with an Idempotency-Key the same body answers the same schedule',
    withSchedules(async ({ app }) => {
      const body = yourSchedule('daily', 'Morning', {
        spec: { cronExpressions: ['0 9 * * MON-FRI'], timezone: 'Europe/Paris' },
        state: { paused: true, note: 'created paused' },
      });
      const { scheduleId } = body;
      const key = uniqueName('key');
      const first = await A.send(app, 'post', '/api/schedules', body).set('idempotency-key', key).expect(200);
      await deleting(app, scheduleId, async () => {
        const again = await A.send(app, 'post', '/api/schedules', body).set('idempotency-key', key).expect(200);
        assert.equal(again.body.scheduleId, scheduleId);
        assert.equal(again.body.info.createdAt, first.body.info.createdAt);
        const other = await A.send(app, 'post', '/api/schedules', { ...body, input: 'Evening' }).set(
          'idempotency-key',
          key,
        );
        assertCleanErrorBody(other, 422);
        const conflict = await A.send(app, 'post', '/api/schedules', body);
        assertCleanErrorBody(conflict, 409);
        assert.equal(conflict.body.data.details.scheduleId, scheduleId);
        assert.match(conflict.body.message, new RegExp(scheduleId));
        // Another tenant may use the same ID: IDs are namespaced per tenant.
        await B.send(app, 'post', '/api/schedules', body).expect(200);
        await B.send(app, 'delete', `/api/schedules/${scheduleId}`).expect(200);

        // The cron string in Paris time: 09:00 on weekdays, 07:00 or 08:00 UTC.
        const times = await A.get(
          app,
          `/api/schedules/${scheduleId}/matching-times?from=2030-01-07T00:00:00Z&to=2030-01-13T23:59:59Z`,
        ).expect(200);
        assert.deepEqual(times.body.times, [
          '2030-01-07T08:00:00.000Z',
          '2030-01-08T08:00:00.000Z',
          '2030-01-09T08:00:00.000Z',
          '2030-01-10T08:00:00.000Z',
          '2030-01-11T08:00:00.000Z',
        ]);

        // Calendars with the SDK's names: 12:30 on the first of each month, except in March (UTC: the new spec
        // replaces the whole section, time zone included).
        await A.send(app, 'patch', `/api/schedules/${scheduleId}`, {
          spec: {
            calendars: [{ hour: 12, minute: 30, dayOfMonth: 1 }],
            skip: [{ month: 'MARCH', hour: '*', minute: '*', dayOfMonth: '*' }],
          },
        }).expect(200);
        const monthly = await A.get(
          app,
          `/api/schedules/${scheduleId}/matching-times?from=2030-01-15T00:00:00Z&to=2030-04-15T00:00:00Z`,
        ).expect(200);
        assert.deepEqual(monthly.body.times, ['2030-02-01T12:30:00.000Z', '2030-04-01T12:30:00.000Z']);

        // PATCH changes a section; input is checked against the contract; PUT replaces the whole.
        const patched = await A.send(app, 'patch', `/api/schedules/${scheduleId}`, { input: 'Noon' }).expect(200);
        assert.equal(patched.body.input, 'Noon');
        assert.equal(patched.body.state.paused, true, 'state kept');
        assertCleanErrorBody(await A.send(app, 'patch', `/api/schedules/${scheduleId}`, { input: '' }), 400);
        const replaced = await A.send(app, 'put', `/api/schedules/${scheduleId}`, {
          workflowType: 'YourWorkflow',
          input: 'Weekly',
          spec: { intervals: [{ every: '7 days' }] },
        }).expect(200);
        assert.equal(replaced.body.input, 'Weekly');
        assert.deepEqual(replaced.body.spec.intervals, [{ everyMs: 7 * 24 * 3600 * 1000, offsetMs: 0 }]);
        assert.deepEqual(replaced.body.spec.calendars, []);
        const trpc = await request(app)
          .get('/trpc/schedules.describe')
          .query({ input: JSON.stringify({ scheduleId }) })
          .set('x-api-key', acme.key)
          .expect(200);
        assert.equal(trpc.body.result.data.input, 'Weekly');
      });
    }),
  );
});
