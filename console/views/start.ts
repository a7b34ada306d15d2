import { startWorkflow, type CatalogEntry } from '../api';
import { actionForm } from '../action-form';
import { allows } from '../auth';
import { h } from '../dom';
import type { JsonSchema } from '../json-schema';
import { state } from '../state';

/** The start request as one schema, so the server's field paths (input.items.0.sku, workflowId) land on fields. */
function startSchema(entry: CatalogEntry): JsonSchema {
  return {
    type: 'object',
    properties: {
      workflowId: {
        type: 'string',
        minLength: 1,
        maxLength: 255,
        description:
          'Optional: a business key (e.g. the order ID) makes a retried start safe. Left empty, the server picks one.',
      },
      input: { description: entry.description, ...(entry.input as JsonSchema) },
    },
    required: ['input'],
  };
}

/** A form generated from the workflow's input schema, prefilled with the contract's example. */
export function startView(entry: CatalogEntry): HTMLElement[] {
  const me = state.session?.state === 'signed-in' ? state.session.me : null;
  const allowed = me !== null && allows(me, 'workflows:start', entry.workflowType);
  return [
    h('h1', { tabindex: -1 }, `Start ${entry.workflowType}`),
    h('p', { class: 'summary' }, entry.summary),
    actionForm({
      id: 'start-form',
      schema: startSchema(entry),
      initial: { input: entry.exampleInput },
      submitLabel: `Start ${entry.workflowType}`,
      unavailable: allowed ? null : 'your key may not start this workflow (scope workflows:start)',
      send: (value) => startWorkflow(entry.workflowType, value as { input: unknown; workflowId?: string }),
      done: (answer) => {
        const { workflowId } = answer as { workflowId: string };
        location.hash = `#/runs/${encodeURIComponent(workflowId)}`;
      },
    }),
  ];
}
