import { sleep } from '@temporalio/workflow';

/**
 * Holds an action link's use (or revocation) record: its workflow ID is the record, and it stays open until
 * `holdUntilMs` (the link's expiry) so that no second start can take the same ID while the link is valid.
 */
export async function actionLinkHoldWorkflow(holdUntilMs: number): Promise<void> {
  await sleep(Math.max(1, holdUntilMs - Date.now()));
}
