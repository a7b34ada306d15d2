import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { CallbackDeliveryInput, CallbackRequest } from '../../common/callbacks/delivery';
import {
  checkUrl,
  destinationPolicyOf,
  DestinationRefused,
  resolveChecked,
  type DestinationPolicy,
} from '../../common/callbacks/destination';
import type { Config } from '../../common/config';
import type { AuthedContext } from '../context';
import { InputError, KnownRunError, withKnownRun } from '../errors/mapping';
import { resultUrlOf } from '../http/rest-paths';
import { temporalGateway } from '../temporal/gateway';

type Ctx = Pick<AuthedContext, 'client' | 'config' | 'caller'>;

const policies = new WeakMap<Config, DestinationPolicy>();
function policyOf(config: Config): DestinationPolicy {
  let policy = policies.get(config);
  if (!policy) policies.set(config, (policy = destinationPolicyOf(config)));
  return policy;
}

/**
 * Refuses a callback URL before anything starts: allow-list, scheme, and the addresses its host resolves to now
 * (the worker checks again at every attempt). A name that does not resolve yet is accepted: delivery retries.
 */
async function acceptDestination(config: Config, url: string): Promise<void> {
  const policy = policyOf(config);
  try {
    const parsed = checkUrl(url, policy);
    await resolveChecked(parsed.hostname, policy).catch((error: unknown) => {
      if (error instanceof DestinationRefused) throw error;
    });
  } catch (error) {
    if (error instanceof DestinationRefused) throw new InputError([{ path: 'callback.url', message: error.message }]);
    throw error;
  }
}

/** Hands the callback to the run's delivery workflow, starting it for the run's first callback. */
async function registerCallback(
  ctx: Ctx,
  started: { workflowId: string; runId: string },
  callback: CallbackRequest,
): Promise<void> {
  const gateway = temporalGateway(ctx);
  const stored = gateway.storedId(started.workflowId);
  const input: CallbackDeliveryInput = {
    run: { storedWorkflowId: stored, workflowId: started.workflowId, runId: started.runId },
    ...(ctx.caller.tenant === undefined ? {} : { tenant: ctx.caller.tenant }),
    retryForMs: ctx.config.CALLBACK_RETRY_FOR_MS,
    initialIntervalMs: ctx.config.CALLBACK_RETRY_INITIAL_MS,
    maxIntervalMs: ctx.config.CALLBACK_RETRY_MAX_MS,
    attemptTimeoutMs: ctx.config.CALLBACK_ATTEMPT_TIMEOUT_MS,
  };
  try {
    // A delivery that already finished is not started again by a retried request (REJECT_DUPLICATE).
    await gateway
      .callbackDelivery(started.workflowId, started.runId)
      .register(input, { url: callback.url, ...(callback.events ? { events: callback.events } : {}) });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    throw withKnownRun(error, { ...started, resultUrl: resultUrlOf(started.workflowId) });
  }
}

/**
 * The callback hook of every start path: checks the destination before `start` runs (a refused URL starts nothing),
 * and registers the delivery once Temporal accepted the run, even when the answer is an error that names the run
 * (KnownRunError). A retry with the same Idempotency-Key registers it
 * again harmlessly (one delivery workflow per run, one delivery per URL).
 */
export async function withCallback<T extends { workflowId: string; runId: string }>(
  ctx: Ctx,
  callback: CallbackRequest | undefined,
  start: () => Promise<T>,
): Promise<T> {
  if (callback === undefined) return start();
  await acceptDestination(ctx.config, callback.url);
  let started: T;
  try {
    started = await start();
  } catch (error) {
    // An answer that names a started run (an update-with-start whose update was rejected: 422) still leaves a run
    // that will close: its callback holds too. Should the registration fail, that failure is the answer.
    if (error instanceof KnownRunError) await registerCallback(ctx, error.run, callback);
    throw error;
  }
  await registerCallback(ctx, started, callback);
  return started;
}
