import { failureOf, trpc, watchRun, type Outcome, type ProgressEvent } from '../api';
import { allows } from '../auth';
import { h, json, replace } from '../dom';
import { catalogEntry, state, temporalUiLink } from '../state';
import { callbacksSection } from './callbacks';
import { messagesSection } from './messages';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Progress as the workflow's progress query answers it: a bar for a 0..1 `progress`, its scalar fields, the rest as JSON. */
function progressView(progress: unknown): HTMLElement[] {
  if (!isObject(progress)) return progress === undefined ? [h('p', {}, 'No progress reported.')] : [json(progress)];
  const share = typeof progress.progress === 'number' ? progress.progress : undefined;
  const scalars = Object.entries(progress).filter(([, value]) =>
    ['string', 'number', 'boolean'].includes(typeof value),
  );
  const nodes: (HTMLElement | null)[] = [
    share === undefined
      ? null
      : h(
          'div',
          { class: 'field' },
          h('label', { for: 'progress-bar' }, `Progress ${Math.round(share * 100)}%`),
          h('progress', { id: 'progress-bar', max: 1, value: share }, `${Math.round(share * 100)}%`),
        ),
    h(
      'dl',
      { class: 'facts', id: 'progress-facts' },
      ...scalars.flatMap(([key, value]) => [h('dt', {}, key), h('dd', { 'data-key': key }, String(value))]),
    ),
    h('details', {}, h('summary', {}, 'Full progress'), json(progress)),
  ];
  return nodes.filter((node): node is HTMLElement => node !== null);
}

/** The result once completed, or the failure with its cause chain. */
function outcomeView(outcome: Outcome): HTMLElement[] {
  if (outcome.status === 'COMPLETED') return [h('h3', {}, 'Result'), h('div', { id: 'result' }, json(outcome.result))];
  if ('failure' in outcome) {
    const { failure } = outcome;
    return [
      h('h3', {}, 'Failure'),
      h(
        'ol',
        { class: 'causes', id: 'failure' },
        ...[failure, ...failure.causes].map((link) =>
          h('li', {}, h('strong', {}, link.applicationErrorType ?? link.type), `: ${link.message}`),
        ),
      ),
    ];
  }
  return [h('p', {}, `Closed as ${outcome.status}.`)];
}

function actionsSection(workflowId: string, type: string, setProblem: (message: string) => void): HTMLElement {
  const me = state.session?.state === 'signed-in' ? state.session.me : null;
  const mayCancel = me !== null && allows(me, 'workflows:cancel', type);
  const mayTerminate = me !== null && allows(me, 'workflows:terminate', type);
  const reason = h('input', {
    type: 'text',
    id: 'terminate-reason',
    name: 'reason',
    value: 'terminated from the console',
  });
  const run = (action: () => Promise<unknown>) => () =>
    void action().catch((error: unknown) => setProblem(failureOf(error).message));
  return h(
    'section',
    { 'aria-labelledby': 'actions-heading', id: 'actions' },
    h('h2', { id: 'actions-heading' }, 'Cancel or terminate'),
    h(
      'p',
      {},
      h(
        'button',
        {
          type: 'button',
          id: 'cancel',
          class: 'danger',
          disabled: !mayCancel,
          onclick: run(() => trpc.executions.cancel.mutate({ workflowId })),
        },
        'Cancel workflow',
      ),
      mayCancel ? null : h('span', { class: 'unavailable' }, ' Unavailable: your key lacks workflows:cancel'),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'terminate-reason' }, 'Reason for terminating'),
      reason,
      h(
        'button',
        {
          type: 'button',
          id: 'terminate',
          class: 'danger',
          disabled: !mayTerminate,
          onclick: run(() => trpc.executions.terminate.mutate({ workflowId, reason: reason.value || undefined })),
        },
        'Terminate workflow',
      ),
      mayTerminate ? null : h('span', { class: 'unavailable' }, ' Unavailable: your key lacks workflows:terminate'),
    ),
  );
}

/** One run: live status and progress from the progress stream, its outcome, its messages and its controls. */
export function runView(workflowId: string, onLeave: (stop: () => void) => void): HTMLElement[] {
  const status = h('span', { class: 'status', id: 'run-status', role: 'status' }, 'loading…');
  const facts = h('dl', { class: 'facts' });
  const progress = h('div', { id: 'progress', 'aria-live': 'polite' });
  const outcome = h('div', { id: 'outcome', 'aria-live': 'polite' });
  const problem = h('p', { class: 'problem', role: 'alert', id: 'run-problem' });
  const body = h('div');
  const setProblem = (message: string): void => replace(problem, message);
  let callbacks: ReturnType<typeof callbacksSection> | undefined;

  const showEvent = (event: ProgressEvent): void => {
    replace(status, event.status);
    status.className = `status status-${event.status}`;
    const closed = event.status !== 'RUNNING';
    if (event.progress !== undefined) replace(progress, ...progressView(event.progress));
    else if (closed && progress.firstChild) progress.prepend(h('p', { class: 'hint' }, 'Last reported while it ran:'));
    if (event.outcome) replace(outcome, ...outcomeView(event.outcome));
    if (closed) setTimeout(() => callbacks?.refresh(), 1_000); // delivery follows the close
    body.querySelectorAll<HTMLButtonElement>('#actions button').forEach((button) => {
      if (closed) button.disabled = true;
    });
  };

  void trpc.executions.describe
    .query({ workflowId })
    .then((description) => {
      const link = temporalUiLink(workflowId, description.runId);
      replace(
        facts,
        ...[
          ['Type', description.type],
          ['Run ID', description.runId],
          ['Task queue', description.taskQueue],
          ['Started', new Date(description.startTime).toLocaleString()],
        ].flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
        link ? h('dt', {}, 'Temporal') : null,
        link
          ? h(
              'dd',
              {},
              h(
                'a',
                { href: link, id: 'temporal-ui-link', target: '_blank', rel: 'noopener' },
                'Open in Temporal Web UI',
              ),
            )
          : null,
      );
      const entry = catalogEntry(description.type);
      callbacks = callbacksSection(workflowId);
      replace(
        body,
        entry ? messagesSection(entry, workflowId) : null,
        actionsSection(workflowId, description.type, setProblem),
        callbacks.element,
      );
      onLeave(
        watchRun(workflowId, {
          event: showEvent,
          error: (failure) => setProblem(`Progress stream: ${failure.message}`),
        }),
      );
    })
    .catch((error: unknown) => {
      replace(status, 'unknown');
      setProblem(failureOf(error).message);
    });

  return [
    h('p', {}, h('a', { href: '#/' }, '← All workflows')),
    h('h1', { tabindex: -1, class: 'run-id' }, workflowId),
    h('p', {}, 'Status: ', status),
    problem,
    facts,
    h(
      'section',
      { 'aria-labelledby': 'progress-heading' },
      h('h2', { id: 'progress-heading' }, 'Progress'),
      progress,
      outcome,
    ),
    body,
  ];
}
