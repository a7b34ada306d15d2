import { CancellationScope, log } from '@temporalio/workflow';

/**
 * The saga's undo list. Each compensation is added *before* its step runs and is idempotent, so an undo whose
 * step never took effect is a harmless no-op, and a step whose reply was lost is still undone.
 */
export class Compensations {
  private readonly undo: { name: string; run: () => Promise<unknown> }[] = [];

  add(name: string, run: () => Promise<unknown>): void {
    this.undo.unshift({ name, run });
  }

  /** Runs every compensation, newest first, even when the workflow is being cancelled. */
  async run(): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      for (const { name, run } of this.undo) {
        try {
          await run();
        } catch (error) {
          // The undo activities retry until they succeed; reaching here means a non-retryable bug. Carry on with
          // the rest rather than leave stock held or money taken because of an unrelated failure.
          log.error('compensation failed', { compensation: name, error });
        }
      }
    });
  }
}
