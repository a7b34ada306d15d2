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

/**
 * What an answer or a readiness probe says when Temporal does not know a search attribute the service stamps: the
 * server's misconfiguration, not the caller's mistake, so it names the operator's fix.
 */
export function searchAttributeMissingMessage(name: string, namespace = '<namespace>'): string {
  return (
    `Temporal's namespace has no search attribute ${name}, which runs of tenants carry; ` +
    `an operator must run: ${registerSearchAttributeCommand(namespace, name)}`
  );
}

/** The service's search attribute a Temporal error message complains about, if any. */
export function searchAttributeNamedIn(message: string): string | undefined {
  if (!/search attribute/i.test(message)) return undefined;
  return Object.keys(SERVICE_SEARCH_ATTRIBUTES).find((name) => message.includes(name));
}
