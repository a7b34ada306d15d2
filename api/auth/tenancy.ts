import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { TENANT_SEARCH_ATTRIBUTE } from '../../common/search-attributes';
import { ApiError } from '../errors/mapping';
import type { Caller } from './caller';

/** The Keyword search attribute every run a tenant starts carries, so list queries can filter on it. */
export { TENANT_SEARCH_ATTRIBUTE };
const tenantKey = defineSearchAttributeKey(TENANT_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);
/** The memo field holding the tenant: describe returns memos, so by-ID checks need no visibility query. */
export const TENANT_MEMO_KEY = 'tenant';
// Not allowed in a workflow ID the API accepts from a tenant's caller, so `<tenant>~<id>` cannot be forged.
const SEPARATOR = '~';

type Who = Pick<Caller, 'tenant' | 'workflowTypes'>;

/**
 * The ID Temporal stores for a caller's workflow ID: namespaced by tenant, so two tenants can use the same
 * business ID without colliding and a tenant can never name another's run.
 */
export function storedWorkflowId(caller: Who, workflowId: string): string {
  return caller.tenant === undefined ? workflowId : `${caller.tenant}${SEPARATOR}${workflowId}`;
}

/** The workflow ID as the caller knows it (the tenant prefix removed). */
export function callerWorkflowId(caller: Who, storedId: string): string {
  const prefix = caller.tenant === undefined ? '' : `${caller.tenant}${SEPARATOR}`;
  return prefix !== '' && storedId.startsWith(prefix) ? storedId.slice(prefix.length) : storedId;
}

/** A text (an error message) with every stored ID of the caller's tenant written as the caller knows it. */
export function callerWorkflowText(caller: Who, text: string): string {
  return caller.tenant === undefined ? text : text.replaceAll(`${caller.tenant}${SEPARATOR}`, '');
}

/** What a tenant's start stamps on the run: the tenant as search attribute and memo. */
export function tenantStamp(caller: Who): {
  typedSearchAttributes?: SearchAttributePair[];
  memo?: Record<string, string>;
} {
  if (caller.tenant === undefined) return {};
  return {
    typedSearchAttributes: [{ key: tenantKey, value: caller.tenant }],
    memo: { [TENANT_MEMO_KEY]: caller.tenant },
  };
}

/** A caller limited to some workflow types may not start others (403 naming the type). */
export function assertMayStart(caller: Who, workflowType: string): void {
  if (caller.workflowTypes && !caller.workflowTypes.includes(workflowType)) {
    throw new ApiError({
      code: 'FORBIDDEN',
      message: `This caller may not use workflow type ${workflowType}`,
      details: { workflowType },
    });
  }
}

type VisibleRun = { type: string; memo?: Record<string, unknown> | undefined };

/** Whether a caller may see a run: its tenant's (an untenanted caller sees all) and of a type it may touch. */
export function isVisible(caller: Who, run: VisibleRun): boolean {
  const tenantOk = caller.tenant === undefined || run.memo?.[TENANT_MEMO_KEY] === caller.tenant;
  return tenantOk && (!caller.workflowTypes || caller.workflowTypes.includes(run.type));
}

/**
 * Whether a caller may see a run: its tenant's (an untenanted caller sees all) and of a type it may touch.
 * A run it may not see answers 404 like a missing one, so IDs of other tenants do not leak.
 */
export function assertVisible(caller: Who, workflowId: string, run: VisibleRun): void {
  if (!isVisible(caller, run)) {
    throw new ApiError({ code: 'NOT_FOUND', message: `No workflow with ID "${workflowId}"`, details: { workflowId } });
  }
}

function quoted(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The clause that keeps a tenant's list of schedules to its own, by the stored ID's tenant prefix (Temporal's
 * schedule lists filter on ScheduleId, not on custom search attributes); undefined for an untenanted caller.
 */
export function scheduleListClauseFor(caller: Who): string | undefined {
  return caller.tenant === undefined ? undefined : `ScheduleId STARTS_WITH ${quoted(`${caller.tenant}${SEPARATOR}`)}`;
}

/** Visibility clauses a caller's list always gets, added on the server: its tenant and its workflow types. */
export function visibilityClausesFor(caller: Who): string[] {
  const clauses: string[] = [];
  if (caller.tenant !== undefined) clauses.push(`${TENANT_SEARCH_ATTRIBUTE} = ${quoted(caller.tenant)}`);
  if (caller.workflowTypes) clauses.push(`WorkflowType IN (${caller.workflowTypes.map(quoted).join(', ')})`);
  return clauses;
}
