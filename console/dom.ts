export type Child = Node | string | null | undefined | false;
export type Attributes = Record<string, string | number | boolean | undefined | EventListener>;

/** Creates an element: `on*` attributes become listeners, `true` becomes an empty attribute, false/undefined none. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== undefined && value !== false) element.setAttribute(name, String(value));
  }
  element.append(
    ...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false),
  );
  return element;
}

/** A column of a list table: its heading, which also labels its cells (data-label, for the narrow layout), and the cell. */
export type Column<T> = [label: string, cell: (row: T) => Child];

/** A table of `rows`: a caption for screen readers, a heading per column, then one row per item. */
export function listTable<T>(
  attributes: Attributes,
  caption: string,
  columns: Column<T>[],
  rows: readonly T[],
): HTMLTableElement {
  return h(
    'table',
    attributes,
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, ...columns.map(([label]) => h('th', { scope: 'col' }, label)))),
    h(
      'tbody',
      {},
      ...rows.map((row) => h('tr', {}, ...columns.map(([label, cell]) => h('td', { 'data-label': label }, cell(row))))),
    ),
  );
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((child): child is Node | string => Boolean(child)));
}

/** Pretty JSON for results and answers. */
export function json(value: unknown): HTMLPreElement {
  return h('pre', { class: 'json' }, JSON.stringify(value, null, 2) ?? 'undefined');
}
