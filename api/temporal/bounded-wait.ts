import { setMaxListeners } from 'node:events';
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { status as GrpcStatus } from '@grpc/grpc-js';

/**
 * Why a bounded wait ended before what it waited for: its deadline passed, the caller went away, or the API is
 * draining for shutdown. None of these is an error for the caller: the run goes on and its resultUrl says where to look.
 */
export type WaitEndReason = 'deadline' | 'caller-gone' | 'draining';

/** Thrown by bounded() when the wait ends first; the Temporal calls inside have been cancelled. */
export class WaitEnded extends Error {
  override readonly name = 'WaitEnded';
  constructor(readonly reason: WaitEndReason) {
    super(`wait ended: ${reason}`);
  }
}

/**
 * A long-poll is cut into slices this long. The server answers a history long-poll when the run closes, but a
 * missed wake-up (seen once in ~300 executes) would otherwise last until the server's own 20 s poll timeout; each
 * new slice starts with the server re-reading the history, so a missed wake-up costs at most one slice.
 */
export const LONG_POLL_SLICE_MS = 3_000;

// grpc-js and the server may end a call a little before the timer's own clock reads the deadline.
const CLOCK_SLACK_MS = 100;

export interface WaitBounds {
  /** Epoch milliseconds by which the wait answers, whatever the connection does. */
  deadline: number;
  /** Aborted when the caller goes away. */
  callerGone: AbortSignal;
  /** Aborted when the API starts draining for shutdown. */
  draining: AbortSignal;
}

function reasonOf(bounds: WaitBounds, sliceEnd: number): WaitEndReason | undefined {
  if (bounds.draining.aborted) return 'draining';
  if (bounds.callerGone.aborted) return 'caller-gone';
  if (Date.now() >= sliceEnd) return 'deadline';
  return undefined;
}

function isCutShort(error: unknown): boolean {
  if (isGrpcServiceError(error))
    return error.code === GrpcStatus.DEADLINE_EXCEEDED || error.code === GrpcStatus.CANCELLED;
  if (error instanceof Error && error.cause !== undefined && isCutShort(error.cause)) return true;
  return error instanceof Error && error.name === 'AbortError';
}

/**
 * Runs `fn` (Temporal calls through `client`) so that it settles by `sliceEnd` or when the caller goes away or the
 * API drains, by construction: the gRPC deadline bounds every attempt and every retry the SDK's retry interceptor
 * makes (they share the call's options), the abort signal cancels the call in flight, and a timer settles the
 * promise even if a call ignores both. Throws WaitEnded when it ends that way.
 */
export async function bounded<T>(
  client: Client,
  bounds: WaitBounds,
  fn: () => Promise<T>,
  sliceEnd = bounds.deadline,
): Promise<T> {
  const early = reasonOf(bounds, sliceEnd);
  if (early) throw new WaitEnded(early);
  // One controller per call, fed by the shared signals with listeners removed afterwards: the draining signal is
  // shared by every request, and AbortSignal.any would leave a listener on it per call until collected.
  const stop = new AbortController();
  // The SDK adds an 'abort' listener to this signal for every gRPC call made under it and never removes it; and
  // handle.result() re-polls at once whenever the server answers a long poll with no close event, as a cluster
  // warming up or a restarting history service does. So one slice can carry dozens of listeners: the source of
  // "MaxListenersExceededWarning: 11 abort listeners added to [AbortSignal]". They are bounded by construction: the
  // controller lives for one slice (LONG_POLL_SLICE_MS at most) and is garbage with its listeners afterwards, and the
  // shared signals above it get one listener per call, removed in `finally` (test/bounded-wait-listeners.test.ts).
  setMaxListeners(0, stop.signal);
  const sources = [bounds.callerGone, bounds.draining];
  const onSource = (): void => stop.abort();
  for (const source of sources) source.addEventListener('abort', onSource, { once: true });
  const stopped = new Promise<never>((_resolve, reject) => {
    stop.signal.addEventListener('abort', () => reject(new WaitEnded(reasonOf(bounds, sliceEnd) ?? 'deadline')), {
      once: true,
    });
  });
  stopped.catch(() => undefined);
  const timeout = setTimeout(onSource, Math.max(0, sliceEnd - Date.now()));
  const call = client.withDeadline(sliceEnd, () => client.withAbortSignal(stop.signal, fn));
  // When the wait ends first, the call settles later (cancelled); nobody awaits it then.
  call.catch(() => undefined);
  try {
    return await Promise.race([call, stopped]);
  } catch (error) {
    if (error instanceof WaitEnded) throw error;
    // The deadline or the abort reached the call before the timer fired: the same ending, told apart by the clock.
    const reason = reasonOf(bounds, sliceEnd - CLOCK_SLACK_MS);
    if (reason && isCutShort(error)) throw new WaitEnded(reason);
    throw error;
  } finally {
    clearTimeout(timeout);
    for (const source of sources) source.removeEventListener('abort', onSource);
  }
}

/**
 * Waits for `poll` (a long-poll such as handle.result()) within `bounds`, in slices of LONG_POLL_SLICE_MS: when a
 * slice ends, the poll is issued again, and its first act is to read the current state. Throws WaitEnded once the
 * overall deadline passes (or the caller goes, or the API drains).
 */
export async function slicedLongPoll<T>(client: Client, bounds: WaitBounds, poll: () => Promise<T>): Promise<T> {
  for (;;) {
    const sliceEnd = Math.min(bounds.deadline, Date.now() + LONG_POLL_SLICE_MS);
    try {
      return await bounded(client, bounds, poll, sliceEnd);
    } catch (error) {
      if (!(error instanceof WaitEnded) || error.reason !== 'deadline' || sliceEnd >= bounds.deadline) throw error;
    }
  }
}
