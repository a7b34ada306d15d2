import {
  createActionLink,
  failureOf,
  sendMessage,
  type CatalogEntry,
  type MessageEntry,
  type MessageKind,
} from '../api';
import { actionForm } from '../action-form';
import { allows, type Scope } from '../auth';
import { h, json, replace } from '../dom';
import type { JsonSchema } from '../json-schema';
import { state } from '../state';

const KINDS: { kind: MessageKind; noun: string; verb: string; scope: Scope }[] = [
  { kind: 'signals', noun: 'signal', verb: 'Send', scope: 'workflows:signal' },
  { kind: 'queries', noun: 'query', verb: 'Ask', scope: 'workflows:read' },
  { kind: 'updates', noun: 'update', verb: 'Run', scope: 'workflows:signal' },
];

function showAnswer(kind: MessageKind, name: string, answer: unknown, output: HTMLElement): void {
  const at = new Date().toLocaleTimeString();
  if (kind === 'signals') {
    replace(output, h('p', { class: 'ok', role: 'status' }, `Signal ${name} sent at ${at}.`));
    return;
  }
  const update = answer as { status?: string; result?: unknown; resultUrl?: string };
  if (kind === 'updates' && update.status === 'ACCEPTED') {
    replace(
      output,
      h('p', { role: 'status' }, `Update ${name} accepted at ${at}; still running (result at ${update.resultUrl}).`),
    );
    return;
  }
  const shown = kind === 'updates' ? update.result : answer;
  replace(
    output,
    h('p', { class: 'ok', role: 'status' }, `${kind === 'queries' ? 'Answer' : `Update ${name} done`} at ${at}:`),
    json(shown),
  );
}

/**
 * "Copy link": an action link that sends this signal or update once, without credentials (README "Action links").
 * Shown as well as copied: the clipboard is refused outside secure contexts.
 */
function copyLinkButton(workflowId: string, kind: 'signals' | 'updates', name: string, id: string, allowed: boolean) {
  const output = h('p', { id: `${id}-link`, role: 'status' });
  const copy = async (): Promise<void> => {
    try {
      const link = await createActionLink(workflowId, kind, name);
      const url = new URL(link.url, location.href).href;
      const copied = await navigator.clipboard.writeText(url).then(
        () => true,
        () => false,
      );
      const until = new Date(link.expiresAt).toLocaleString();
      replace(
        output,
        `${copied ? 'Link copied' : 'Link'} (acts once, until ${until}; id ${link.id}): `,
        h('code', {}, url),
      );
    } catch (error) {
      replace(output, h('span', { class: 'error' }, failureOf(error).message));
    }
  };
  return h(
    'div',
    { class: 'copy-link' },
    h(
      'button',
      {
        type: 'button',
        id: `${id}-copy-link`,
        disabled: !allowed,
        title: 'Anyone holding the link can send this once, without a key',
        onclick: () => void copy(),
      },
      'Copy link',
    ),
    output,
  );
}

function messageForm(
  entry: CatalogEntry,
  workflowId: string,
  kind: (typeof KINDS)[number],
  message: MessageEntry,
): HTMLElement {
  const me = state.session?.state === 'signed-in' ? state.session.me : null;
  const allowed = me !== null && allows(me, kind.scope, entry.workflowType);
  const id = `${kind.noun}-${message.name}`;
  return h(
    'details',
    { class: 'message', id: `${id}-panel` },
    h('summary', {}, `${message.name} `, h('small', {}, `(${kind.noun})`)),
    h('p', { class: 'hint' }, message.description),
    actionForm({
      id,
      schema: message.input as JsonSchema,
      initial: undefined,
      submitLabel: `${kind.verb} ${message.name}`,
      unavailable: allowed ? null : `your key lacks ${kind.scope}`,
      send: (value) => sendMessage(entry.workflowType, kind.kind, message.name, { ...(value as object), workflowId }),
      done: (answer, output) => showAnswer(kind.kind, message.name, answer, output),
    }),
    kind.kind === 'queries' ? null : copyLinkButton(workflowId, kind.kind, message.name, id, allowed),
  );
}

/** The signals, queries and updates the workflow's contract declares, each with a generated form. */
export function messagesSection(entry: CatalogEntry, workflowId: string): HTMLElement | null {
  const forms = KINDS.flatMap((kind) =>
    entry[kind.kind].map((message) => messageForm(entry, workflowId, kind, message)),
  );
  if (forms.length === 0) return null;
  return h(
    'section',
    { 'aria-labelledby': 'messages-heading' },
    h('h2', { id: 'messages-heading' }, 'Messages'),
    ...forms,
  );
}
