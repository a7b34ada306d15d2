import { failureOf } from './api';
import { h, replace } from './dom';
import type { JsonSchema } from './json-schema';
import { validate } from './json-schema';
import { schemaForm } from './schema-form';

export interface ActionFormOptions {
  id: string;
  schema: JsonSchema;
  initial: unknown;
  submitLabel: string;
  /** Why the caller may not do this, or null when it may. */
  unavailable: string | null;
  send(value: unknown): Promise<unknown>;
  /** Shows a successful answer in `output`. */
  done(answer: unknown, output: HTMLElement): void;
}

/**
 * A form generated from a schema that checks its value before sending it and shows the server's field errors
 * after. Used for starting workflows and for every signal, query and update.
 */
export function actionForm(options: ActionFormOptions): HTMLFormElement {
  const fields = schemaForm(options.schema, options.initial, options.id);
  const output = h('div', { class: 'output', 'aria-live': 'polite', id: `${options.id}-output` });
  const submit = h('button', { type: 'submit' }, options.submitLabel);
  const body = h('fieldset', { class: 'plain', disabled: options.unavailable !== null }, fields.element, submit);
  const form = h(
    'form',
    { id: options.id, novalidate: true },
    options.unavailable ? h('p', { class: 'unavailable', role: 'note' }, `Unavailable: ${options.unavailable}`) : null,
    body,
    output,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      const value = fields.value();
      const issues = validate(options.schema, value);
      replace(output);
      if (issues.length > 0) {
        const unplaced = fields.showErrors(issues);
        replace(
          output,
          h(
            'p',
            { class: 'problem', role: 'alert' },
            'Fix the fields marked above.',
            ...unplaced.map((i) => ` ${i.message}`),
          ),
        );
        return;
      }
      fields.clearErrors();
      submit.disabled = true;
      form.setAttribute('aria-busy', 'true');
      try {
        options.done(await options.send(value), output);
      } catch (error) {
        const failure = failureOf(error);
        const unplaced = fields.showErrors(failure.fieldErrors);
        replace(
          output,
          h(
            'p',
            { class: 'problem', role: 'alert' },
            failure.code ? h('strong', {}, `${failure.code}: `) : null,
            failure.fieldErrors.length > 0 && unplaced.length === 0
              ? 'The server refused the fields marked above.'
              : failure.message,
          ),
        );
      } finally {
        submit.disabled = false;
        form.removeAttribute('aria-busy');
      }
    })();
  });
  return form;
}
