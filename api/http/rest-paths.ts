// Where REST resources live: the prefix and the URLs answers point clients to (resultUrl, Location).

/** REST paths are served under this prefix; tRPC under /trpc. */
export const REST_BASE_PATH = '/api';

/** Where a workflow's result can be fetched later (a RUNNING outcome's resultUrl). */
export function resultUrlOf(workflowId: string): string {
  return `${REST_BASE_PATH}/workflows/${encodeURIComponent(workflowId)}/result`;
}

/** Where an update's result can be fetched later (an ACCEPTED update's resultUrl). */
export function updateResultUrlOf(workflowId: string, updateId: string): string {
  return `${REST_BASE_PATH}/workflows/${encodeURIComponent(workflowId)}/updates/${encodeURIComponent(updateId)}/result`;
}
