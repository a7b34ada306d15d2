import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';

const PROBE_TIMEOUT_MS = 1_000;

/** Polls `probe` until it answers true; false if `givenUp()` turns true or `timeoutMs` passes first. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number; givenUp?: () => boolean },
): Promise<boolean> {
  const deadline = Date.now() + (options.timeoutMs ?? Number.POSITIVE_INFINITY);
  while (Date.now() < deadline && !options.givenUp?.()) {
    if (await probe()) return true;
    await sleep(options.intervalMs ?? 250);
  }
  return false;
}

/** True once the Temporal frontend at `address` answers for `namespace` (start-dev registers it before serving). */
export async function temporalAnswers(address: string, namespace: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    const connected = await Connection.connect({ address, connectTimeout: PROBE_TIMEOUT_MS });
    connection = connected;
    await connected.withDeadline(Date.now() + PROBE_TIMEOUT_MS, () =>
      connected.workflowService.describeNamespace({ namespace }),
    );
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/** True when `url` answers 2xx. */
export async function httpAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return response.ok;
  } catch {
    return false;
  }
}
