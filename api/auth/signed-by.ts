import type { SignalContract } from '../../workflows/contract';
import { ApiError } from '../errors/mapping';
import type { Caller } from './caller';

/**
 * A signal field that names who acted (the order's approvedBy) is the authenticated caller's own name, never free
 * text: with auth on, any other value is a 403. With auth off every caller is anonymous, so the field is taken as sent.
 */
export function assertSignedByCaller(
  caller: Pick<Caller, 'kind' | 'name'>,
  signal: Pick<SignalContract, 'callerField'>,
  args: unknown,
): void {
  const field = signal.callerField;
  if (field === undefined || caller.kind === 'anonymous') return;
  const value = (args as Record<string, unknown> | undefined)?.[field];
  if (value === caller.name) return;
  throw new ApiError({
    code: 'FORBIDDEN',
    message: `${field} must be the caller's own name ("${caller.name}")`,
    details: { field, caller: caller.name },
  });
}
