import type { ResponseHints } from '../context';
import type { ApiMeta } from '../trpc';

/** An answer that says "not done yet, look here later": a RUNNING outcome or an ACCEPTED update. */
function pendingUrl(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { status, resultUrl } = data as { status?: unknown; resultUrl?: unknown };
  return (status === 'RUNNING' || status === 'ACCEPTED') && typeof resultUrl === 'string' ? resultUrl : undefined;
}

/**
 * The status and headers a successful answer gets, read from the procedure's meta (the one place a route's 202 is
 * declared; api/http/openapi.ts documents the same meta): `successStatus: 202` always, `acceptedWhenPending` when the
 * answer is still pending, with its resultUrl as Location.
 */
export function successResponse(meta: ApiMeta | undefined, data: unknown): ResponseHints {
  if (meta?.successStatus === 202) return { status: 202 };
  const location = meta?.acceptedWhenPending ? pendingUrl(data) : undefined;
  return location === undefined ? {} : { status: 202, headers: { location } };
}
