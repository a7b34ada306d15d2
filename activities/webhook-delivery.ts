import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowContinuedAsNewError, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { CloudEvent, HTTP } from 'cloudevents';
import { Webhook } from 'standardwebhooks';
import {
  checkedLookup,
  checkUrl,
  destinationPolicyOf,
  DestinationRefused,
  type DestinationPolicy,
} from '../common/callbacks/destination';
import type { Config } from '../common/config';
import type { AttemptResult, ClosedRun, WatchedRun } from '../common/callbacks/delivery';
import { failureInfoOf } from '../common/failure-info';

/** What delivering needs from the worker's config: the signing secrets and where callbacks may go. */
export interface WebhookSettings {
  secrets: readonly string[];
  /** A tenant's own secrets, which sign its runs' deliveries instead of `secrets` (CALLBACK_SIGNING_SECRETS_BY_TENANT). */
  secretsByTenant?: Readonly<Record<string, readonly string[]>>;
  policy: DestinationPolicy;
}

export interface DeliverInput {
  url: string;
  webhookId: string;
  closed: ClosedRun;
  attemptTimeoutMs: number;
  /** The run's tenant, if it has one. */
  tenant?: string;
}

/** The worker's webhook settings from its config. */
export function webhookSettingsOf(config: Config): WebhookSettings {
  return {
    secrets: config.CALLBACK_SIGNING_SECRET,
    secretsByTenant: config.CALLBACK_SIGNING_SECRETS_BY_TENANT,
    policy: destinationPolicyOf(config),
  };
}

/** The secrets that sign a delivery: the tenant's own when it has any, the service's otherwise. */
export function signingSecretsOf(settings: WebhookSettings, tenant: string | undefined): readonly string[] {
  return (tenant === undefined ? undefined : settings.secretsByTenant?.[tenant]) ?? settings.secrets;
}

const HEARTBEAT_EVERY_MS = 5_000;
/** How long one awaitRunClose call long-polls before it hands back to the workflow (which then polls again). */
const AWAIT_SLICE_MS = 10 * 60_000;
/** Only the start of the receiver's answer is read (for the error message); the rest is discarded. */
const MAX_ANSWER_BYTES = 4_096;
/** The CloudEvents `source` of every event this service sends. */
export const EVENT_SOURCE = 'temporal-http';

/** CloudEvents `type` for a closing status: temporal-http.workflow.completed, ….timed_out. */
export const eventTypeOf = (status: string): string => `temporal-http.workflow.${status.toLowerCase()}`;

/** The signed body and headers of one delivery: the same bytes and webhook-id on every attempt, a fresh timestamp. */
export function signedRequest(
  settings: Pick<WebhookSettings, 'secrets'>,
  input: Pick<DeliverInput, 'webhookId' | 'closed'>,
  now = new Date(),
): { headers: Record<string, string>; body: string } {
  const event = new CloudEvent({
    id: input.webhookId,
    source: EVENT_SOURCE,
    type: eventTypeOf(input.closed.outcome.status),
    subject: input.closed.outcome.workflowId,
    time: input.closed.closedAt,
    datacontenttype: 'application/json',
    data: input.closed.outcome,
  });
  const message = HTTP.structured(event);
  const body = String(message.body);
  // Every secret signs (space-separated), so a receiver holding the old or the new one verifies during rotation.
  const signature = settings.secrets.map((secret) => new Webhook(secret).sign(input.webhookId, now, body)).join(' ');
  return {
    body,
    headers: {
      ...(message.headers as Record<string, string>),
      'webhook-id': input.webhookId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
      'user-agent': 'temporal-http-webhooks/1',
    },
  };
}

/** One POST: checked address only, no redirects, bounded in time and in what is read back. */
function post(url: URL, policy: DestinationPolicy, request: ReturnType<typeof signedRequest>, timeoutMs: number) {
  return new Promise<AttemptResult>((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'POST',
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      lookup: checkedLookup(policy) as never,
      signal: AbortSignal.timeout(timeoutMs),
      agent: false,
    });
    req.on('response', (res) => {
      let read = 0;
      let answer = '';
      res.on('data', (chunk: Buffer) => {
        if (read < MAX_ANSWER_BYTES) answer += chunk.subarray(0, MAX_ANSWER_BYTES - read).toString('utf8');
        read += chunk.length;
        if (read >= MAX_ANSWER_BYTES) res.destroy();
      });
      const done = (): void => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve({ ok: true, httpStatus: status });
        const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
        resolve({ ok: false, httpStatus: status, error: `HTTP ${status}${redirect}: ${answer.slice(0, 200)}`.trim() });
      };
      res.on('end', done);
      res.on('close', done);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof DestinationRefused) return resolve({ ok: false, error: error.message, permanent: true });
      const reason =
        error.name === 'TimeoutError' || error.name === 'AbortError'
          ? `no answer within ${timeoutMs} ms`
          : error.message;
      resolve({ ok: false, error: error.code ? `${error.code}: ${reason}` : reason });
    });
    req.end(request.body);
  });
}

/** The activities of the delivery workflow (workflows/callback-delivery.ts). */
export function createWebhookActivities(settings: WebhookSettings | undefined): {
  awaitRunClose(run: WatchedRun): Promise<ClosedRun | null>;
  deliverWebhook(input: DeliverInput): Promise<AttemptResult>;
} {
  return {
    /**
     * Waits (long-poll, heartbeating) up to ten minutes for the run to close, following continue-as-new, and answers
     * the outcome the result endpoint would; null while it is still open.
     */
    async awaitRunClose(run: WatchedRun): Promise<ClosedRun | null> {
      const context = Context.current();
      const beat = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        let runId = (context.info.heartbeatDetails as string | undefined) ?? run.runId;
        for (;;) {
          const handle = context.client.workflow.getHandle(run.storedWorkflowId, runId, { followRuns: false });
          const outcome = { workflowId: run.workflowId, runId };
          try {
            const result: unknown = await context.client.withDeadline(Date.now() + AWAIT_SLICE_MS, () =>
              handle.result(),
            );
            const description = await handle.describe();
            return {
              outcome: { ...outcome, status: 'COMPLETED', result },
              closedAt: (description.closeTime ?? new Date()).toISOString(),
            };
          } catch (error) {
            if (error instanceof WorkflowContinuedAsNewError) {
              runId = error.newExecutionRunId;
              context.heartbeat(runId);
              continue;
            }
            const description = await handle.describe().catch((cause: unknown) => {
              if (cause instanceof WorkflowNotFoundError)
                throw ApplicationFailure.nonRetryable(
                  `run ${runId} of ${run.workflowId} does not exist`,
                  'RunNotFound',
                );
              throw cause;
            });
            if (!(error instanceof WorkflowFailedError)) {
              if (description.status.name === 'RUNNING') return null; // the slice's deadline came first
              throw error;
            }
            return {
              outcome: { ...outcome, status: description.status.name, failure: failureInfoOf(error) },
              closedAt: (description.closeTime ?? new Date()).toISOString(),
            };
          }
        }
      } finally {
        clearInterval(beat);
      }
    },

    /** One signed delivery attempt; its result (delivered, or why not) rather than an exception. */
    async deliverWebhook(input: DeliverInput): Promise<AttemptResult> {
      const secrets = settings ? signingSecretsOf(settings, input.tenant) : [];
      if (!settings || secrets.length === 0) return { ok: false, error: 'this worker has no CALLBACK_SIGNING_SECRET' };
      let url: URL;
      try {
        url = checkUrl(input.url, settings.policy);
      } catch (error) {
        if (error instanceof DestinationRefused) return { ok: false, error: error.message, permanent: true };
        throw error;
      }
      return post(url, settings.policy, signedRequest({ secrets }, input), input.attemptTimeoutMs);
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
