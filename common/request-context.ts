// How the HTTP request that started a workflow is named on the worker's log lines for it. No imports: the workflow
// sandbox loads this file too.

/** The memo field in which the API records the request id that started a workflow (visible in the Web UI too). */
export const REQUEST_ID_MEMO_KEY = 'requestId';
/** The memo field naming the caller (API key name or token subject) whose request started the workflow. */
export const CALLER_MEMO_KEY = 'caller';
/** The header in which a workflow hands that request id to its activities. */
export const ACTIVITY_REQUEST_ID_HEADER = 'temporal-http-request-id';
