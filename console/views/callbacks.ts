import { failureOf, trpc } from '../api';
import { h, replace } from '../dom';

type Delivery = Awaited<ReturnType<typeof trpc.callbacks.list.query>>['deliveries'][number];

const when = (iso: string | undefined): string => (iso ? new Date(iso).toLocaleString() : '');

function row(delivery: Delivery): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-webhook-id': delivery.webhookId },
    h('td', {}, delivery.url),
    h('td', {}, h('span', { class: `status status-${delivery.state}` }, delivery.state)),
    h('td', {}, String(delivery.attempts)),
    h('td', {}, delivery.lastStatus === undefined ? '' : String(delivery.lastStatus)),
    h('td', {}, delivery.lastError ?? ''),
    h('td', {}, when(delivery.deliveredAt) || (delivery.nextAttemptAt ? `next ${when(delivery.nextAttemptAt)}` : '')),
  );
}

/** The run's completion webhooks (GET /api/workflows/{id}/callbacks): where each goes and how delivery went. */
export function callbacksSection(workflowId: string): { element: HTMLElement; refresh(): void } {
  const content = h('div', { id: 'callbacks-list', 'aria-live': 'polite' }, 'loading…');
  const refresh = (): void =>
    void trpc.callbacks.list
      .query({ workflowId })
      .then(({ deliveries }) =>
        replace(
          content,
          deliveries.length === 0
            ? h('p', {}, 'No callbacks: start with a "callback" to be told when the run closes.')
            : h(
                'table',
                {},
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ...['URL', 'State', 'Attempts', 'Last status', 'Last error', 'Delivered'].map((title) =>
                      h('th', { scope: 'col' }, title),
                    ),
                  ),
                ),
                h('tbody', {}, ...deliveries.map(row)),
              ),
        ),
      )
      .catch((error: unknown) => replace(content, h('p', { class: 'problem' }, failureOf(error).message)));
  refresh();
  const element = h(
    'section',
    { 'aria-labelledby': 'callbacks-heading', id: 'callbacks' },
    h('h2', { id: 'callbacks-heading' }, 'Callbacks'),
    content,
    h('p', {}, h('button', { type: 'button', id: 'callbacks-refresh', onclick: refresh }, 'Refresh')),
  );
  return { element, refresh };
}
