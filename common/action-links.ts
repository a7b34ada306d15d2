// What the API and the worker share about action links. No imports: the workflow sandbox loads this file too.

/**
 * The internal workflow that records one use of an action link (or its revocation): its workflow ID is the record,
 * taken once (REJECT_DUPLICATE), and it stays open until the link has expired so the ID cannot be taken again.
 */
export const ACTION_LINK_HOLD_WORKFLOW_TYPE = 'ActionLinkHold';

/** The longest a link may live (and a revocation is held). */
export const ACTION_LINK_MAX_LIFETIME_MS = 30 * 24 * 3_600_000;

/** The workflow ID whose existence records use number `use` (1-based) of a link, beside the workflow's own ID. */
export function linkUseWorkflowIdOf(workflowId: string, linkId: string, use: number): string {
  return `${workflowId}~link~${linkId}~use~${use}`;
}

/** The workflow ID whose existence records that a link was revoked. */
export function linkRevokedWorkflowIdOf(workflowId: string, linkId: string): string {
  return `${workflowId}~link~${linkId}~revoked`;
}
