import type { Client } from '@temporalio/client';
import { LONG_POLL_SLICE_MS, WaitEnded, type WaitBounds } from '../temporal/bounded-wait';
import { historyPage } from '../temporal/service';
import type { ApiDeps } from '../context';

/** A snapshot is published under the workflow's history length, which only grows. */
export interface Snapshot<E> {
  id: number;
  event: E;
  closed: boolean;
}

/** What the watcher needs from the stream: a snapshot of the workflow now (one describe, one query, or its outcome). */
export type TakeSnapshot<E> = (stop: AbortSignal) => Promise<Snapshot<E>>;

interface Subscriber<E> {
  deliver(snapshot: Snapshot<E>): void;
  end(error?: unknown): void;
}

const NEVER = new AbortController().signal;

/**
 * Watches one workflow for every subscriber in this process: one history long-poll (waitNewEvent) at a time, and one
 * snapshot per history change, whatever the number of subscribers. It stops when the last subscriber leaves or the
 * workflow closes.
 */
class ProgressWatcher<E> {
  private readonly subscribers = new Set<Subscriber<E>>();
  private latest: Snapshot<E> | undefined;
  private readonly stop = new AbortController();

  constructor(
    private readonly client: Client,
    private readonly workflowId: string,
    private readonly takeSnapshot: TakeSnapshot<E>,
    private readonly onEnd: () => void,
  ) {
    void this.run();
  }

  subscribe(subscriber: Subscriber<E>): () => void {
    this.subscribers.add(subscriber);
    if (this.latest) subscriber.deliver(this.latest);
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.finish();
    };
  }

  private finish(error?: unknown): void {
    if (this.stop.signal.aborted) return;
    this.stop.abort();
    this.onEnd();
    for (const subscriber of this.subscribers) subscriber.end(error);
    this.subscribers.clear();
  }

  private async run(): Promise<void> {
    let pageToken: Uint8Array | undefined;
    try {
      for (;;) {
        // The first poll (no token) answers at once with the history so far; the next ones wait for new events.
        pageToken = await this.nextHistoryChange(pageToken);
        const snapshot = await this.takeSnapshot(this.stop.signal);
        if (this.stop.signal.aborted) return;
        if (!this.latest || snapshot.id > this.latest.id) {
          this.latest = snapshot;
          for (const subscriber of this.subscribers) subscriber.deliver(snapshot);
        }
        if (snapshot.closed) return this.finish();
        // A closed run that continued as new has no next page: start over on the latest run.
        if (!pageToken || pageToken.length === 0) pageToken = undefined;
      }
    } catch (error) {
      if (!this.stop.signal.aborted) this.finish(error);
    }
  }

  /** Long-polls the history until it grows, in short slices (a missed wake-up costs one slice); returns the next token. */
  private async nextHistoryChange(pageToken: Uint8Array | undefined): Promise<Uint8Array | undefined> {
    for (;;) {
      const bounds: WaitBounds = {
        deadline: Date.now() + LONG_POLL_SLICE_MS,
        callerGone: this.stop.signal,
        draining: NEVER,
      };
      try {
        const response = await historyPage(this.client, bounds, this.workflowId, pageToken);
        const grew = (response.history?.events?.length ?? 0) > 0;
        const next = response.nextPageToken ?? undefined;
        if (grew || !next || next.length === 0) return next;
        pageToken = next;
      } catch (error) {
        if (!(error instanceof WaitEnded) || error.reason !== 'deadline') throw error;
      }
    }
  }
}

// One registry per client, i.e. per API process (one Temporal client per process), without a global singleton.
const registries = new WeakMap<Client, Map<string, ProgressWatcher<unknown>>>();

/**
 * Subscribes to a workflow's snapshots: the latest one at once (if any), then each new one, until the workflow
 * closes (end()), the watch fails (end(error)) or the returned function unsubscribes.
 */
export function watchWorkflow<E>(
  deps: Pick<ApiDeps, 'client'>,
  workflowId: string,
  takeSnapshot: TakeSnapshot<E>,
  subscriber: Subscriber<E>,
): () => void {
  let registry = registries.get(deps.client);
  if (!registry) {
    registry = new Map();
    registries.set(deps.client, registry);
  }
  const watchers = registry;
  let watcher = watchers.get(workflowId) as ProgressWatcher<E> | undefined;
  if (!watcher) {
    const created: ProgressWatcher<E> = new ProgressWatcher(deps.client, workflowId, takeSnapshot, () => {
      if (watchers.get(workflowId) === (created as ProgressWatcher<unknown>)) watchers.delete(workflowId);
    });
    watcher = created;
    watchers.set(workflowId, watcher as ProgressWatcher<unknown>);
  }
  return watcher.subscribe(subscriber);
}

/** How many workflows this process watches now (for tests and metrics). */
export function watchedWorkflowCount(client: Client): number {
  return registries.get(client)?.size ?? 0;
}
