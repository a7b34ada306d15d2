import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { z } from 'zod';
import {
  ACTION_LINK_HOLD_WORKFLOW_TYPE,
  ACTION_LINK_MAX_LIFETIME_MS,
  linkRevokedWorkflowIdOf,
  linkUseWorkflowIdOf,
} from '../../common/action-links';
import type { WorkflowContract } from '../../workflows/contract';
import { workflowContracts } from '../../workflows/contracts';
import type { Caller } from '../auth/caller';
import { callerWorkflowId, storedWorkflowId } from '../auth/tenancy';
import { toJsonSchema } from '../catalog';
import type { AuthedContext, Context } from '../context';
import { ApiError } from '../errors/mapping';
import { REST_BASE_PATH } from '../http/rest-paths';
import { requireWorkflow, runUpdate, sendSignal } from '../operations/message-operations';
import { describeWorkflow } from '../operations/workflow-operations';
import { UPDATE_DEFAULT_WAIT_MS } from '../schemas';
import { temporalGateway } from '../temporal/gateway';
import type { CreateLinkInput, LinkUseOutcome, LinkView } from './link-schemas';
import { assertLinksOn, signLink, verifyLink, type LinkClaims } from './link-token';

// Action links: a signed token names one message to one workflow; whoever holds it may send that message, without
// credentials, up to maxUses times until it expires. Each use is recorded by starting a small internal workflow whose
// ID is derived from the link's id and the use's number, with REJECT_DUPLICATE: Temporal admits each ID once, across
// every API replica and restart, and the workflow stays open until the link expires so the ID stays taken. A
// revocation is one more such ID. No table of links, no counter in memory.

const LINKS_PATH = '/links';

/** The URL path of a link's token (GET describes, POST acts). */
export function linkPathOf(token: string): string {
  return `${REST_BASE_PATH}${LINKS_PATH}/${token}`;
}

function gone(reason: 'USED_UP' | 'REVOKED', message: string): ApiError {
  return new ApiError({ code: 'NOT_FOUND', httpStatus: 410, message, details: { reason } });
}

type MessageKind = 'signal' | 'update';

/** The contract's signal or update, or undefined. */
function messageOf(contract: WorkflowContract, kind: MessageKind, name: string): { input: z.ZodObject } | undefined {
  const record: Record<string, { input: z.ZodObject }> = kind === 'signal' ? contract.signals : contract.updates;
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/** Creates a link to send one signal or update to a workflow the caller can see (404 otherwise). */
export async function createLink(ctx: AuthedContext, input: CreateLinkInput): Promise<LinkView> {
  assertLinksOn(ctx.config); // off: 501 before anything reaches Temporal
  const kind: MessageKind = input.signal !== undefined ? 'signal' : 'update';
  const name = (input.signal ?? input.update) as string;
  const { type } = await describeWorkflow(ctx, input.workflowId);
  const contract = workflowContracts.find((entry) => entry.workflowType === type);
  const message = contract && messageOf(contract, kind, name);
  if (!contract || !message)
    throw new ApiError({
      code: 'BAD_REQUEST',
      message: `${type} has no ${kind} named "${name}"`,
      details: { field: kind, workflowType: type },
    });
  // The fixed input is checked now, as the message's route would check it (400 naming input.<field>).
  const fixed =
    input.input === undefined ? undefined : z.object({ input: message.input }).parse({ input: input.input });
  await requireWorkflow(ctx, input.workflowId, type, true);
  const claims: LinkClaims = {
    jti: randomBytes(12).toString('base64url'),
    sub: storedWorkflowId(ctx.caller, input.workflowId),
    ...(ctx.caller.tenant === undefined ? {} : { ten: ctx.caller.tenant }),
    wft: type,
    kind,
    msg: name,
    ...(fixed ? { inp: fixed.input as Record<string, unknown> } : {}),
    max: input.maxUses,
    exp: Math.floor(Date.now() / 1000) + input.expiresIn,
  };
  const token = await signLink(ctx.config, claims);
  return viewOf(ctx.caller, claims, token, message, input.maxUses);
}

function viewOf(
  caller: Pick<Caller, 'tenant'>,
  claims: LinkClaims,
  token: string,
  message: { input: z.ZodObject },
  usesLeft: number,
): LinkView {
  return {
    id: claims.jti,
    url: linkPathOf(token),
    workflowId: callerWorkflowId(caller, claims.sub),
    workflowType: claims.wft,
    kind: claims.kind,
    message: claims.msg,
    input: claims.inp ?? null,
    inputSchema: claims.inp ? null : toJsonSchema(message.input),
    expiresAt: new Date(claims.exp * 1000).toISOString(),
    maxUses: claims.max,
    usesLeft,
  };
}

/** The link's token checked, and who it acts as: the tenant it was made for, no scopes of its own. */
async function linkOf(ctx: Context, token: string) {
  const claims = await verifyLink(ctx.config, token);
  const caller: Caller = {
    kind: 'anonymous',
    name: `action-link:${claims.jti}`,
    scopes: [],
    ...(claims.ten === undefined ? {} : { tenant: claims.ten }),
  };
  const contract = workflowContracts.find((entry) => entry.workflowType === claims.wft);
  const message = contract && messageOf(contract, claims.kind, claims.msg);
  if (!message)
    throw new ApiError({ code: 'NOT_FOUND', message: `This link's ${claims.kind} "${claims.msg}" no longer exists` });
  const linkCtx = { ...ctx, caller };
  return { claims, caller, linkCtx, message, workflowId: callerWorkflowId(caller, claims.sub) };
}

type LinkCtx = Context & { caller: Caller };

/** Whether the service's own record (a use, a revocation) exists. */
async function recorded(ctx: LinkCtx, recordId: string): Promise<boolean> {
  try {
    await temporalGateway(ctx).run(recordId).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/** Takes a record's ID once: false when it was taken before (by this or any other API process). */
async function take(ctx: LinkCtx, recordId: string, holdUntilMs: number): Promise<boolean> {
  try {
    await temporalGateway(ctx).start(ACTION_LINK_HOLD_WORKFLOW_TYPE, {
      workflowId: recordId,
      input: holdUntilMs,
      idReusePolicy: 'REJECT_DUPLICATE',
    });
    return true;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw error;
  }
}

async function usesTaken(ctx: LinkCtx, workflowId: string, claims: LinkClaims): Promise<number> {
  let taken = 0;
  while (taken < claims.max && (await recorded(ctx, linkUseWorkflowIdOf(workflowId, claims.jti, taken + 1)))) taken++;
  return taken;
}

/** What a link will do (its message, input schema, expiry, uses left); never acts. 410 when it can no longer act. */
export async function describeLink(ctx: Context, token: string): Promise<LinkView> {
  const { claims, caller, linkCtx, message, workflowId } = await linkOf(ctx, token);
  if (await recorded(linkCtx, linkRevokedWorkflowIdOf(workflowId, claims.jti)))
    throw gone('REVOKED', 'This link was revoked');
  const usesLeft = claims.max - (await usesTaken(linkCtx, workflowId, claims));
  if (usesLeft === 0) throw gone('USED_UP', 'This link has been used');
  return viewOf(caller, claims, token, message, usesLeft);
}

/**
 * Sends the link's message: the body (or the link's fixed input) is checked by the contract first, then one use is
 * taken (410 when none is left), then the message is sent as its authenticated route sends it.
 */
export async function useLink(ctx: Context, token: string, body: Record<string, unknown>): Promise<LinkUseOutcome> {
  const { claims, linkCtx, message, workflowId } = await linkOf(ctx, token);
  if (claims.inp !== undefined && Object.keys(body).length > 0)
    throw new ApiError({
      code: 'BAD_REQUEST',
      message: `This link's input is fixed: send no fields (got ${Object.keys(body).join(', ')})`,
      details: { fields: Object.keys(body) },
    });
  const args = message.input.parse(claims.inp ?? body);
  if (await recorded(linkCtx, linkRevokedWorkflowIdOf(workflowId, claims.jti)))
    throw gone('REVOKED', 'This link was revoked');
  let use = 0;
  for (let next = 1; next <= claims.max && use === 0; next++)
    if (await take(linkCtx, linkUseWorkflowIdOf(workflowId, claims.jti, next), claims.exp * 1000)) use = next;
  if (use === 0) throw gone('USED_UP', 'This link has been used');
  // The workflow is checked (404 gone, 409 closed) after the use is taken: a used-up link answers 410 whatever became
  // of its workflow, and a link to a closed workflow is dead anyway.
  const used = { linkId: claims.jti, workflowId, kind: claims.kind, message: claims.msg, use, maxUses: claims.max };
  if (claims.kind === 'signal') {
    await sendSignal(linkCtx, claims.wft, workflowId, claims.msg, args);
    return { ...used, status: 'SIGNALED' };
  }
  const outcome = await runUpdate(linkCtx, {
    workflowType: claims.wft,
    workflowId,
    name: claims.msg,
    args,
    waitMs: UPDATE_DEFAULT_WAIT_MS,
  });
  return { ...used, ...outcome };
}

/** Revokes a link of a workflow the caller can see: every later use or look is a 410. Idempotent. */
export async function revokeLink(
  ctx: AuthedContext,
  workflowId: string,
  linkId: string,
): Promise<{ id: string; workflowId: string; status: 'REVOKED' }> {
  await describeWorkflow(ctx, workflowId);
  await take(ctx, linkRevokedWorkflowIdOf(workflowId, linkId), Date.now() + ACTION_LINK_MAX_LIFETIME_MS);
  return { id: linkId, workflowId, status: 'REVOKED' };
}
