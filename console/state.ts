import type { Catalog, CatalogEntry } from './api';
import type { Session } from './auth';

/** What every view reads: what the service offers and who is using the console. Set once at start, and on sign-in. */
export const state: { catalog: Catalog | null; session: Session | null } = { catalog: null, session: null };

export function catalogEntry(workflowType: string): CatalogEntry | undefined {
  return state.catalog?.workflowTypes.find((entry) => entry.workflowType === workflowType);
}

/** A link to the run in Temporal's Web UI, when the API knows where that is. */
export function temporalUiLink(workflowId: string, runId: string): string | null {
  const catalog = state.catalog;
  if (!catalog?.temporalUiUrl) return null;
  const base = catalog.temporalUiUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(catalog.namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}
