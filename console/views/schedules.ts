import { failureOf, trpc, type CatalogEntry } from '../api';
import { actionForm } from '../action-form';
import { allows } from '../auth';
import { h, json, listTable, replace, type Column } from '../dom';
import type { JsonSchema } from '../json-schema';
import { state } from '../state';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../api/router';

type ScheduleView = inferRouterOutputs<AppRouter>['schedules']['describe'];
type CreateInput = inferRouterInputs<AppRouter>['schedules']['create'];

const when = (iso: string): string => new Date(iso).toLocaleString();
const me = () => (state.session?.state === 'signed-in' ? state.session.me : null);

/** The create form's schema: the schedule ID, the contract's own input, and a spec editor (interval or cron, zone). */
function createSchema(entry: CatalogEntry): JsonSchema {
  return {
    type: 'object',
    properties: {
      scheduleId: { type: 'string', minLength: 1, maxLength: 255, description: 'Unique among your schedules' },
      input: { description: entry.description, ...(entry.input as JsonSchema) },
      spec: {
        type: 'object',
        description: 'When it fires: an interval, a cron string, or both',
        properties: {
          every: { type: 'string', description: 'Interval, e.g. 30s, 5m, 1h (at least 1 s)' },
          cron: { type: 'string', description: 'Cron string, e.g. 0 9 * * MON-FRI, or @daily' },
          timezone: {
            type: 'string',
            description: 'IANA time zone for the cron string, e.g. Europe/Paris (UTC if empty)',
          },
        },
      },
    },
    required: ['scheduleId', 'input'],
  };
}

type FormValue = { scheduleId: string; input: unknown; spec?: { every?: string; cron?: string; timezone?: string } };

function createBody(entry: CatalogEntry, value: FormValue): CreateInput {
  const spec = value.spec ?? {};
  return {
    scheduleId: value.scheduleId,
    workflowType: entry.workflowType as CreateInput['workflowType'],
    input: value.input,
    spec: {
      intervals: spec.every ? [{ every: spec.every }] : undefined,
      cronExpressions: spec.cron ? [spec.cron] : undefined,
      timezone: spec.timezone || undefined,
    },
  };
}

// The server names the request's fields (spec.cronExpressions.0); the editor has one field for each.
const EDITOR_FIELDS: [RegExp, string][] = [
  [/^spec\.cronExpressions\.\d+$/, 'spec.cron'],
  [/^spec\.intervals\.\d+\.every$/, 'spec.every'],
];

/** Points the server's field errors at the spec editor's fields, so they land next to what the user typed. */
function onEditorFields(error: unknown): never {
  const data = (error as { data?: { fieldErrors?: { path: string }[] } }).data;
  for (const issue of data?.fieldErrors ?? [])
    issue.path = EDITOR_FIELDS.find(([pattern]) => pattern.test(issue.path))?.[1] ?? issue.path;
  throw error;
}

/** Create a schedule: pick a workflow type, fill its contract's form and the spec. */
function createSection(): HTMLElement {
  const entries = state.catalog?.workflowTypes ?? [];
  const allowed = me() !== null && allows(me()!, 'schedules:write');
  const type = h(
    'select',
    { id: 'schedule-type', name: 'workflowType' },
    ...entries.map((entry) => h('option', { value: entry.workflowType }, entry.workflowType)),
  );
  const holder = h('div', {});
  const render = (): void => {
    const entry = entries.find((candidate) => candidate.workflowType === type.value);
    if (!entry) return;
    replace(
      holder,
      actionForm({
        id: 'schedule-form',
        schema: createSchema(entry),
        initial: { input: entry.exampleInput, spec: { every: '30s' } },
        submitLabel: 'Create schedule',
        unavailable: allowed ? null : 'your key may not create schedules (scope schedules:write)',
        send: (value) => trpc.schedules.create.mutate(createBody(entry, value as FormValue)).catch(onEditorFields),
        done: (answer) => {
          location.hash = `#/schedules/${encodeURIComponent((answer as ScheduleView).scheduleId)}`;
        },
      }),
    );
  };
  type.addEventListener('change', render);
  render();
  return h(
    'section',
    { 'aria-labelledby': 'new-schedule-heading' },
    h('h2', { id: 'new-schedule-heading' }, 'New schedule'),
    h('div', { class: 'field' }, h('label', { for: 'schedule-type' }, 'Workflow type'), type),
    holder,
  );
}

type ScheduleRow = inferRouterOutputs<AppRouter>['schedules']['list']['schedules'][number];

const SCHEDULE_COLUMNS: Column<ScheduleRow>[] = [
  ['Schedule', (row) => h('a', { href: `#/schedules/${encodeURIComponent(row.scheduleId)}` }, row.scheduleId)],
  ['Type', (row) => row.workflowType],
  ['State', (row) => (row.paused ? 'Paused' : 'Active')],
  ['Next run', (row) => (row.nextActionTimes[0] ? when(row.nextActionTimes[0]) : '—')],
];

/** The caller's schedules, a page at a time. */
function listSection(): HTMLElement {
  const results = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' });
  void (async () => {
    try {
      const page = await trpc.schedules.list.query({ pageSize: 100 });
      replace(
        results,
        page.schedules.length === 0
          ? h('p', { id: 'schedules-empty' }, 'No schedules yet.')
          : listTable({ class: 'runs', id: 'schedules' }, 'Schedules', SCHEDULE_COLUMNS, page.schedules),
      );
    } catch (error) {
      replace(results, h('p', { class: 'problem', role: 'alert' }, failureOf(error).message));
    } finally {
      results.setAttribute('aria-busy', 'false');
    }
  })();
  return h(
    'section',
    { 'aria-labelledby': 'schedules-heading' },
    h('h2', { id: 'schedules-heading' }, 'Your schedules'),
    results,
  );
}

/** The Schedules page: the list, and a form to create one. */
export function schedulesView(): HTMLElement[] {
  return [h('h1', { tabindex: -1 }, 'Schedules'), listSection(), createSection()];
}

function scheduleDetails(schedule: ScheduleView): HTMLElement[] {
  return [
    h(
      'dl',
      { class: 'facts', id: 'schedule-facts' },
      h('dt', {}, 'Workflow'),
      h('dd', {}, schedule.workflowType),
      h('dt', {}, 'State'),
      h('dd', { id: 'schedule-state' }, schedule.state.paused ? 'Paused' : 'Active'),
      h('dt', {}, 'Note'),
      h('dd', { id: 'schedule-note' }, schedule.state.note || '—'),
      h('dt', {}, 'Runs started'),
      h('dd', { id: 'schedule-taken' }, String(schedule.info.numActionsTaken)),
    ),
    h('h2', {}, 'Next runs'),
    h('ul', { id: 'next-runs' }, ...schedule.info.nextActionTimes.slice(0, 5).map((time) => h('li', {}, when(time)))),
    h('h2', {}, 'Recent runs'),
    schedule.info.recentActions.length === 0
      ? h('p', { id: 'recent-runs-empty' }, 'None yet.')
      : h(
          'ul',
          { id: 'recent-runs' },
          ...[...schedule.info.recentActions]
            .reverse()
            .map((action) =>
              h(
                'li',
                {},
                h('a', { href: `#/runs/${encodeURIComponent(action.workflowId)}` }, action.workflowId),
                ` at ${when(action.takenAt)}`,
              ),
            ),
        ),
    h(
      'details',
      {},
      h('summary', {}, 'Spec and policies'),
      json({ spec: schedule.spec, policies: schedule.policies, input: schedule.input }),
    ),
  ];
}

/** One schedule: its state, next and recent runs (linking to them), and pause/unpause with a note, trigger, delete. */
export function scheduleView(scheduleId: string): HTMLElement[] {
  const details = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' });
  const problem = h('p', { class: 'problem', role: 'alert', id: 'schedule-problem' });
  const mayWrite = me() !== null && allows(me()!, 'schedules:write');
  const note = h('input', { type: 'text', id: 'schedule-note-input', name: 'note', maxlength: 1000 });
  const pause = h('button', { type: 'button', id: 'schedule-pause' }, 'Pause');
  const trigger = h('button', { type: 'button', id: 'schedule-trigger', class: 'secondary' }, 'Run now');
  const remove = h('button', { type: 'button', id: 'schedule-delete', class: 'secondary' }, 'Delete');
  let paused = false;

  const show = (schedule: ScheduleView): void => {
    paused = schedule.state.paused;
    pause.textContent = paused ? 'Unpause' : 'Pause';
    replace(details, ...scheduleDetails(schedule));
    details.setAttribute('aria-busy', 'false');
  };
  const act = async (fn: () => Promise<ScheduleView | void>): Promise<void> => {
    replace(problem);
    try {
      const answer = await fn();
      show(answer ?? (await trpc.schedules.describe.query({ scheduleId })));
    } catch (error) {
      replace(problem, failureOf(error).message);
    }
  };
  pause.addEventListener('click', () => {
    const input = { scheduleId, note: note.value.trim() || undefined };
    void act(() => (paused ? trpc.schedules.unpause.mutate(input) : trpc.schedules.pause.mutate(input)));
  });
  trigger.addEventListener('click', () => {
    void act(async () => {
      await trpc.schedules.trigger.mutate({ scheduleId, overlap: 'ALLOW_ALL' });
    });
  });
  remove.addEventListener('click', () => {
    void (async () => {
      replace(problem);
      try {
        await trpc.schedules.delete.mutate({ scheduleId });
        location.hash = '#/schedules';
      } catch (error) {
        replace(problem, failureOf(error).message);
      }
    })();
  });
  void act(async () => undefined);
  return [
    h('h1', { tabindex: -1 }, `Schedule ${scheduleId}`),
    h('p', {}, h('a', { href: '#/schedules' }, 'All schedules')),
    problem,
    details,
    h(
      'section',
      { 'aria-labelledby': 'schedule-actions-heading' },
      h('h2', { id: 'schedule-actions-heading' }, 'Actions'),
      mayWrite ? null : h('p', { class: 'unavailable' }, 'Unavailable: your key lacks schedules:write'),
      h(
        'fieldset',
        { class: 'plain', disabled: !mayWrite },
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'schedule-note-input' }, 'Note (why you pause or unpause)'),
          note,
        ),
        pause,
        ' ',
        trigger,
        ' ',
        remove,
      ),
    ),
  ];
}
