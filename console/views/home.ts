import { failureOf, trpc, type ListInput, type ListPage } from '../api';
import { allows } from '../auth';
import { h, listTable, replace, type Column } from '../dom';
import { state } from '../state';

const STATUSES = [
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TERMINATED',
  'TIMED_OUT',
  'CONTINUED_AS_NEW',
] as const satisfies readonly NonNullable<ListInput['status']>[];

const when = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : '—');

/** The workflow types on offer, each with a link to its start form. */
function typesSection(): HTMLElement {
  const me = state.session?.state === 'signed-in' ? state.session.me : null;
  return h(
    'section',
    { 'aria-labelledby': 'types-heading' },
    h('h2', { id: 'types-heading' }, 'Start a workflow'),
    h(
      'ul',
      { class: 'cards', id: 'workflow-types' },
      ...(state.catalog?.workflowTypes ?? []).map((entry) =>
        h(
          'li',
          { class: 'card' },
          h('h3', {}, entry.workflowType),
          h('p', {}, entry.summary),
          me && allows(me, 'workflows:start', entry.workflowType)
            ? h(
                'a',
                { class: 'button', href: `#/start/${encodeURIComponent(entry.workflowType)}` },
                `Start ${entry.workflowType}`,
              )
            : h('p', { class: 'unavailable' }, 'Starting is unavailable to your key'),
        ),
      ),
    ),
  );
}

const RUN_COLUMNS: Column<ListPage['workflows'][number]>[] = [
  ['Workflow ID', (run) => h('a', { href: `#/runs/${encodeURIComponent(run.workflowId)}` }, run.workflowId)],
  ['Type', (run) => run.type],
  ['Status', (run) => h('span', { class: `status status-${run.status}` }, run.status)],
  ['Started', (run) => when(run.startTime)],
  ['Closed', (run) => when(run.closeTime)],
];

function runRows(page: ListPage): HTMLElement {
  if (page.workflows.length === 0) return h('p', { id: 'runs-empty' }, 'No workflows match.');
  return listTable({ class: 'runs', id: 'runs' }, 'Workflows, newest first', RUN_COLUMNS, page.workflows);
}

/** Recent and running workflows (the list operation), filtered by type and status, a page at a time. */
function runsSection(): HTMLElement {
  const type = h(
    'select',
    { id: 'filter-type', name: 'type' },
    h('option', { value: '' }, 'Any type'),
    ...(state.catalog?.workflowTypes ?? []).map((entry) =>
      h('option', { value: entry.workflowType }, entry.workflowType),
    ),
  );
  const status = h(
    'select',
    { id: 'filter-status', name: 'status' },
    h('option', { value: '' }, 'Any status'),
    ...STATUSES.map((name) => h('option', { value: name }, name)),
  );
  const results = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  const tokens: (string | undefined)[] = [undefined];
  // Loads overlap (the first one starts on render, a filter or page click starts another): only the latest one shows.
  let latest = 0;

  const load = async (): Promise<void> => {
    const thisLoad = ++latest;
    results.setAttribute('aria-busy', 'true');
    const input: ListInput = {
      type: (type.value || undefined) as ListInput['type'],
      status: (status.value || undefined) as ListInput['status'],
      pageSize: 20,
      pageToken: tokens[tokens.length - 1],
    };
    try {
      const page = await trpc.executions.list.query(input);
      if (thisLoad !== latest) return;
      replace(results, runRows(page));
      replace(
        pager,
        tokens.length > 1
          ? h('button', { type: 'button', class: 'secondary', onclick: () => go(-1) }, 'Previous page')
          : null,
        page.nextPageToken
          ? h(
              'button',
              { type: 'button', class: 'secondary', onclick: () => go(1, page.nextPageToken ?? undefined) },
              'Next page',
            )
          : null,
      );
    } catch (error) {
      if (thisLoad === latest) replace(results, h('p', { class: 'problem', role: 'alert' }, failureOf(error).message));
    } finally {
      if (thisLoad === latest) results.setAttribute('aria-busy', 'false');
    }
  };
  const go = (direction: 1 | -1, token?: string): void => {
    if (direction === 1) tokens.push(token);
    else tokens.pop();
    void load();
  };
  const filters = h(
    'form',
    { class: 'filters', id: 'run-filters' },
    h('div', { class: 'field' }, h('label', { for: 'filter-type' }, 'Type'), type),
    h('div', { class: 'field' }, h('label', { for: 'filter-status' }, 'Status'), status),
    h('button', { type: 'submit' }, 'Refresh'),
  );
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    tokens.splice(1);
    void load();
  });
  void load();
  return h(
    'section',
    { 'aria-labelledby': 'runs-heading' },
    h('h2', { id: 'runs-heading' }, 'Workflows'),
    filters,
    results,
    pager,
  );
}

/** The start page: what can be started, and what ran. */
export function homeView(): HTMLElement[] {
  return [h('h1', { tabindex: -1 }, 'Temporal HTTP console'), typesSection(), runsSection()];
}
