import type { FieldError } from './api';
import { h } from './dom';
import type { JsonSchema } from './json-schema';

/** One rendered piece of a form and how to read its current value (undefined: left empty). */
interface Editor {
  element: HTMLElement;
  read(): unknown;
}

/** A form generated from a JSON Schema: its fields, its value, and where to show errors. */
export interface SchemaForm {
  element: HTMLElement;
  value(): unknown;
  showErrors(errors: FieldError[]): FieldError[];
  clearErrors(): void;
}

const join = (path: string, key: string | number): string => (path === '' ? String(key) : `${path}.${key}`);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Where an editor sits in the form (id, path, label, required) and what it starts from (schema, value). */
interface Slot {
  schema: JsonSchema;
  value: unknown;
  id: string;
  path: string;
  label: string;
  required: boolean;
}

/** The wrapper of one field: label, control, hint and error line, tied together for screen readers. */
function field({ id, path, label, required, schema }: Slot, control: HTMLElement) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  control.id = id;
  control.setAttribute('aria-describedby', `${schema.description ? hintId : ''} ${errorId}`.trim());
  if (required) control.setAttribute('aria-required', 'true');
  return h(
    'div',
    { class: 'field', 'data-path': path },
    h('label', { for: id }, label, required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
    control,
    schema.description ? h('p', { class: 'hint', id: hintId }, schema.description) : null,
    h('p', { class: 'error', id: errorId, 'aria-live': 'polite' }),
  );
}

function textEditor(slot: Slot): Editor {
  const { schema, value, path } = slot;
  const numeric = schema.type === 'integer' || schema.type === 'number';
  const input = h('input', {
    type: 'text',
    name: path || 'value',
    inputmode: numeric ? (schema.type === 'integer' ? 'numeric' : 'decimal') : undefined,
    autocomplete: 'off',
    value: value === undefined || value === null ? '' : String(value),
  });
  return {
    element: field(slot, input),
    read() {
      const text = input.value;
      if (text === '') return undefined;
      if (!numeric) return text;
      const number = Number(text.trim());
      // Not a number: hand the text on, so validation says what is wrong with it.
      return text.trim() !== '' && Number.isFinite(number) ? number : text;
    },
  };
}

function selectEditor(slot: Slot): Editor {
  const { schema, value, path, required } = slot;
  const options = schema.enum ?? [];
  const select = h(
    'select',
    { name: path || 'value' },
    required ? null : h('option', { value: '' }, '(none)'),
    ...options.map((option, index) =>
      h('option', { value: String(index), selected: option === value }, String(option)),
    ),
  );
  if (required && value === undefined) select.selectedIndex = -1;
  return {
    element: field(slot, select),
    read: () => (select.value === '' ? undefined : options[Number(select.value)]),
  };
}

function checkboxEditor(slot: Slot): Editor {
  const box = h('input', { type: 'checkbox', name: slot.path || 'value', checked: slot.value === true });
  // Unticked is a value (false), never a missing one.
  const element = field({ ...slot, required: false }, box);
  element.classList.add('checkbox');
  return { element, read: () => box.checked };
}

function jsonEditor(slot: Slot): Editor {
  const area = h(
    'textarea',
    { name: slot.path || 'value', rows: 4 },
    slot.value === undefined ? '' : JSON.stringify(slot.value, null, 2),
  );
  return {
    element: field({ ...slot, label: `${slot.label} (JSON)` }, area),
    read() {
      if (area.value.trim() === '') return undefined;
      try {
        return JSON.parse(area.value) as unknown;
      } catch {
        return area.value;
      }
    },
  };
}

/** An object's fields; the form's root object has no label (no fieldset around it). */
function objectEditor({
  schema,
  value,
  id,
  path,
  label,
}: Omit<Slot, 'label' | 'required'> & { label: string | null }): Editor {
  const initial = isObject(value) ? value : {};
  const required = new Set(schema.required ?? []);
  const children = Object.entries(schema.properties ?? {}).map(
    ([name, property]) =>
      [
        name,
        editorFor({
          schema: property,
          value: initial[name] ?? property.default,
          id: `${id}-${name}`,
          path: join(path, name),
          label: name,
          required: required.has(name),
        }),
      ] as const,
  );
  const element =
    label === null
      ? h('div', { class: 'object', 'data-path': path }, ...children.map(([, child]) => child.element))
      : h(
          'fieldset',
          { class: 'object', 'data-path': path },
          h('legend', {}, label),
          schema.description ? h('p', { class: 'hint' }, schema.description) : null,
          ...children.map(([, child]) => child.element),
          h('p', { class: 'error', 'aria-live': 'polite' }),
        );
  return {
    element,
    read() {
      const result: Record<string, unknown> = {};
      for (const [name, child] of children) {
        const childValue = child.read();
        if (childValue !== undefined) result[name] = childValue;
      }
      return result;
    },
  };
}

function arrayEditor({ schema, value, id, path, label }: Slot): Editor {
  const itemSchema = schema.items ?? {};
  const noun = label.endsWith('s') ? label.slice(0, -1) : `${label} item`;
  let items: Editor[] = [];
  const list = h('ol', { class: 'items' });
  const render = (values: unknown[]): void => {
    items = values.map((itemValue, index) =>
      editorFor({
        schema: itemSchema,
        value: itemValue,
        id: `${id}-${index}`,
        path: join(path, index),
        label: `${noun} ${index + 1}`,
        required: true,
      }),
    );
    list.replaceChildren(
      ...items.map((item, index) =>
        h(
          'li',
          {},
          item.element,
          h(
            'button',
            { type: 'button', class: 'secondary', onclick: () => remove(index) },
            `Remove ${noun} ${index + 1}`,
          ),
        ),
      ),
    );
  };
  const current = (): unknown[] => items.map((item) => item.read());
  const remove = (index: number): void => render(current().filter((_, position) => position !== index));
  const add = (): void => {
    render([...current(), itemSchema.default]);
    list.querySelector<HTMLElement>('li:last-child input, li:last-child select, li:last-child textarea')?.focus();
  };
  render(Array.isArray(value) ? value : []);
  return {
    element: h(
      'fieldset',
      { class: 'array', 'data-path': path },
      h('legend', {}, label),
      schema.description ? h('p', { class: 'hint' }, schema.description) : null,
      list,
      h('button', { type: 'button', class: 'secondary', onclick: add }, `Add ${noun}`),
      h('p', { class: 'error', 'aria-live': 'polite' }),
    ),
    read: current,
  };
}

function editorFor(slot: Slot): Editor {
  if (slot.schema.enum) return selectEditor(slot);
  switch (slot.schema.type) {
    case 'object':
      return objectEditor(slot);
    case 'array':
      return arrayEditor(slot);
    case 'boolean':
      return checkboxEditor(slot);
    case 'string':
    case 'integer':
    case 'number':
      return textEditor(slot);
    default:
      return jsonEditor(slot);
  }
}

/**
 * Renders a form for `schema` starting from `initial` (the contract's example, or the schema's defaults).
 * `rootLabel` names a root that is not an object (a workflow whose input is a string).
 */
export function schemaForm(schema: JsonSchema, initial: unknown, idPrefix: string, rootLabel = 'input'): SchemaForm {
  const editor =
    schema.type === 'object'
      ? objectEditor({ schema, value: initial, id: idPrefix, path: '', label: null })
      : editorFor({
          schema,
          value: initial ?? schema.default,
          id: `${idPrefix}-root`,
          path: '',
          label: rootLabel,
          required: true,
        });
  const element = editor.element;
  const clearErrors = (): void => {
    element.querySelectorAll('.error').forEach((line) => (line.textContent = ''));
    element.querySelectorAll('[aria-invalid]').forEach((control) => control.removeAttribute('aria-invalid'));
  };
  return {
    element,
    value: () => editor.read(),
    clearErrors,
    /** Shows each error at its field (or the nearest enclosing one); answers those no field of the form holds. */
    showErrors(errors) {
      clearErrors();
      const unplaced: FieldError[] = [];
      for (const error of errors) {
        let path = error.path === '(root)' ? '' : error.path;
        let holder: Element | null = null;
        for (;;) {
          holder =
            element.getAttribute('data-path') === path
              ? element
              : element.querySelector(`[data-path="${CSS.escape(path)}"]`);
          if (holder || path === '') break;
          path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
        }
        const line = holder?.querySelector(':scope > .error');
        if (!holder || !line) {
          unplaced.push(error);
          continue;
        }
        line.textContent = [line.textContent, error.message].filter(Boolean).join('; ');
        holder
          .querySelector(':scope > input, :scope > select, :scope > textarea')
          ?.setAttribute('aria-invalid', 'true');
      }
      element.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return unplaced;
    },
  };
}
