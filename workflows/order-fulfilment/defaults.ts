// Defaults shared by the contract (the API fills them in) and the workflow (which fills them in itself when a
// client such as the temporal CLI starts it with a partial input). Plain values: safe inside the sandbox.

/** Orders above this total wait for a person's approval. */
export const DEFAULT_APPROVAL_THRESHOLD_CENTS = 100_000;

/** How long an order waits for approval before it is cancelled and its stock released. */
export const DEFAULT_APPROVAL_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** The shortest approval window accepted: small enough for tests, long enough to be deliberate. */
export const MIN_APPROVAL_TIMEOUT_MS = 100;
