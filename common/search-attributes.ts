// The custom search attributes the service relies on: one list for the dev server (scripts/temporal-dev-server.ts),
// compose.yaml, `npm run cluster`, the README and the API's readiness check.
//
// Names starting with `Temporal` are reserved on Temporal's own server ("reserved by system"): the dev server accepts
// them, a real cluster refuses them. The tenant's attribute was `TemporalHttpTenant` until that bit (README
// "Tenants", migration note).

/** The Keyword search attribute every run a tenant's caller starts carries; list queries filter on it. */
export const TENANT_SEARCH_ATTRIBUTE = 'HttpApiTenant';

/** Search attributes the service needs registered in its namespace, by name, with their Temporal type. */
export const SERVICE_SEARCH_ATTRIBUTES: Readonly<Record<string, 'Keyword'>> = {
  [TENANT_SEARCH_ATTRIBUTE]: 'Keyword',
};

/** The command an operator runs to register `name` (answers and logs name it when it is missing). */
export function registerSearchAttributeCommand(namespace: string, name: string): string {
  const type = SERVICE_SEARCH_ATTRIBUTES[name] ?? 'Keyword';
  return `temporal operator search-attribute create --namespace ${namespace} --name ${name} --type ${type}`;
}
