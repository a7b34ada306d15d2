import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';
import { workflowContracts, type WorkflowType } from '../../workflows/contracts';
import { workflowIdSchema } from '../schemas';
import { cronProblem } from './cron-expression';

const registeredTypes = workflowContracts.map((contract) => contract.workflowType) as [WorkflowType, ...WorkflowType[]];

/** Temporal's overlap policies: what a schedule does when an action is due while its previous run is still open. */
export const OVERLAP_POLICIES = [
  'SKIP',
  'BUFFER_ONE',
  'BUFFER_ALL',
  'CANCEL_OTHER',
  'TERMINATE_OTHER',
  'ALLOW_ALL',
] as const;
export const overlapSchema = z
  .enum(OVERLAP_POLICIES)
  .describe('What to do when an action is due while the previous run is open (Temporal default: SKIP)');

/** A schedule ID: the same alphabet as workflow IDs (it stands in a REST path), namespaced per tenant like them. */
export const scheduleIdSchema = workflowIdSchema.describe('Schedule ID, unique per tenant');

/** A duration in milliseconds, or a string such as "2s", "5 minutes", "1h" (the SDK's Duration). */
export function durationMs(value: number | string): number | undefined {
  try {
    const ms = msToNumber(value as Parameters<typeof msToNumber>[0]);
    return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}

const durationSchema = z
  .union([z.number().int().min(0), z.string().min(1).max(64)])
  .refine(
    (value) => durationMs(value) !== undefined,
    'not a duration: milliseconds, or a string such as "2s", "5m", "1h"',
  )
  .describe('Milliseconds, or a string such as "2s", "5m", "1h"');

const atLeast = (minMs: number, what: string) =>
  durationSchema.refine((value) => (durationMs(value) ?? 0) >= minMs, `must be at least ${what}`);

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const rangeOf = <T extends z.ZodType>(unit: T) =>
  z.union([unit, z.strictObject({ start: unit, end: unit.optional(), step: z.number().int().min(1).optional() })]);
const calendarField = <T extends z.ZodType>(unit: T) =>
  z.union([z.literal('*'), rangeOf(unit), z.array(rangeOf(unit)).min(1).max(100)]).optional();
const bounded = (min: number, max: number) => z.number().int().min(min).max(max);

/** One calendar entry, with the SDK's CalendarSpec names (unset fields: second 0, minute 0, hour 0, the rest every). */
const calendarSchema = z.strictObject({
  second: calendarField(bounded(0, 59)),
  minute: calendarField(bounded(0, 59)),
  hour: calendarField(bounded(0, 23)),
  dayOfMonth: calendarField(bounded(1, 31)),
  month: calendarField(
    z.enum([
      'JANUARY',
      'FEBRUARY',
      'MARCH',
      'APRIL',
      'MAY',
      'JUNE',
      'JULY',
      'AUGUST',
      'SEPTEMBER',
      'OCTOBER',
      'NOVEMBER',
      'DECEMBER',
    ]),
  ),
  year: calendarField(bounded(1970, 2999)),
  dayOfWeek: calendarField(z.enum(['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'])),
  comment: z.string().max(200).optional(),
});

const isoTime = z.iso.datetime({ offset: true }).describe('ISO 8601 time, e.g. 2026-01-01T00:00:00Z');

/** When a schedule fires, with the TypeScript SDK's ScheduleSpec names; at least one of intervals, cron, calendars. */
export const scheduleSpecSchema = z
  .strictObject({
    intervals: z
      .array(
        z.strictObject({
          every: atLeast(1000, '1 second').describe('Fire every this long, e.g. "2s", "1h" (at least 1 s)'),
          offset: durationSchema.optional().describe('Shift within the interval, e.g. "15m" with every "1h"'),
        }),
      )
      .max(20)
      .optional(),
    cronExpressions: z
      .array(
        z
          .string()
          .min(1)
          .max(200)
          .superRefine((text, ctx) => {
            const problem = cronProblem(text);
            if (problem) ctx.addIssue({ code: 'custom', message: `not a cron string: ${problem}` });
          }),
      )
      .max(20)
      .optional()
      .describe('Cron strings: "minute hour day-of-month month day-of-week", e.g. "0 9 * * MON-FRI", or "@daily"'),
    calendars: z.array(calendarSchema).max(20).optional(),
    skip: z.array(calendarSchema).max(20).optional().describe('Calendar times to leave out'),
    timezone: z
      .string()
      .max(64)
      .refine(isTimeZone, 'not an IANA time zone (e.g. "Europe/Paris", "UTC")')
      .optional()
      .describe('IANA time zone the cron strings and calendars are read in (UTC by default)'),
    jitter: durationSchema.optional().describe('Delay each action by a random time up to this'),
    startAt: isoTime.optional().describe('No action before this time'),
    endAt: isoTime.optional().describe('No action after this time'),
  })
  .superRefine((spec, ctx) => {
    const fires = (spec.intervals?.length ?? 0) + (spec.cronExpressions?.length ?? 0) + (spec.calendars?.length ?? 0);
    if (fires === 0)
      ctx.addIssue({ code: 'custom', message: 'give at least one of intervals, cronExpressions or calendars' });
    if (spec.startAt !== undefined && spec.endAt !== undefined && Date.parse(spec.endAt) <= Date.parse(spec.startAt))
      ctx.addIssue({ code: 'custom', path: ['endAt'], message: 'must be after startAt' });
  });
export type ScheduleSpecInput = z.infer<typeof scheduleSpecSchema>;

export const schedulePoliciesSchema = z.strictObject({
  overlap: overlapSchema.optional(),
  catchupWindow: atLeast(10_000, '10 seconds')
    .optional()
    .describe('How late a missed action (API or Temporal down) may still run (Temporal default: 1 year)'),
  pauseOnFailure: z.boolean().optional().describe('Pause the schedule when a run it started fails'),
});

export const scheduleStateSchema = z.strictObject({
  paused: z.boolean().optional(),
  note: z.string().max(1000).optional().describe('Why it was paused (or anything operators should read)'),
  remainingActions: z.number().int().min(1).max(1_000_000).optional().describe('Fire this many more times, then stop'),
});

/** The workflow a schedule starts: a registered type, and an input its contract accepts. */
const actionFields = {
  workflowType: z.enum(registeredTypes).describe('The contract workflow the schedule starts'),
  input: z.unknown().describe("The workflow's input, checked against its contract now"),
  workflowId: workflowIdSchema
    .optional()
    .describe('Prefix of the IDs of the runs it starts (Temporal appends the time); the schedule ID by default'),
};

/** Every field of the action and spec sections of a schedule; PUT replaces them all, PATCH some. */
const scheduleBodyFields = {
  ...actionFields,
  spec: scheduleSpecSchema,
  policies: schedulePoliciesSchema.optional(),
  state: scheduleStateSchema.optional(),
};

/** Adds the contract's own issues with the input, under `input.…`, so the 400 names the field of the workflow input. */
export function checkInputAgainstContract(
  body: { workflowType?: WorkflowType; input?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (body.workflowType === undefined) return;
  const contract = contractOf(body.workflowType);
  const parsed = contract.input.safeParse(body.input);
  if (parsed.success) return;
  for (const issue of parsed.error.issues)
    ctx.addIssue({ code: 'custom', path: ['input', ...issue.path], message: issue.message });
}

export function contractOf(workflowType: WorkflowType) {
  const contract = workflowContracts.find((candidate) => candidate.workflowType === workflowType);
  if (!contract) throw new Error(`unregistered workflow type ${workflowType}`);
  return contract;
}

export const createScheduleInputSchema = z
  .strictObject({ scheduleId: scheduleIdSchema, ...scheduleBodyFields })
  .superRefine(checkInputAgainstContract);
export type CreateScheduleInput = z.infer<typeof createScheduleInputSchema>;

/** PUT: the whole schedule again (state is only changed when given). */
export const replaceScheduleInputSchema = createScheduleInputSchema;

/** PATCH: the sections given replace the schedule's; input must come with a new workflowType. */
export const patchScheduleInputSchema = z
  .strictObject({
    scheduleId: scheduleIdSchema,
    workflowType: actionFields.workflowType.optional(),
    input: actionFields.input.optional(),
    workflowId: actionFields.workflowId,
    spec: scheduleSpecSchema.optional(),
    policies: schedulePoliciesSchema.optional(),
    state: scheduleStateSchema.optional(),
  })
  .superRefine((body, ctx) => {
    if (body.workflowType !== undefined && body.input === undefined)
      ctx.addIssue({ code: 'custom', path: ['input'], message: 'required with a new workflowType' });
  });
export type PatchScheduleInput = z.infer<typeof patchScheduleInputSchema>;

const recentActionSchema = z.object({
  scheduledAt: z.string(),
  takenAt: z.string(),
  workflowId: z.string().describe('The run it started (read it at /api/workflows/{workflowId})'),
  runId: z.string(),
});

export const scheduleDescriptionSchema = z.object({
  scheduleId: z.string(),
  workflowType: z.string(),
  workflowId: z.string().describe('Prefix of the IDs of the runs it starts'),
  input: z.unknown(),
  spec: z.object({
    intervals: z.array(z.object({ everyMs: z.number(), offsetMs: z.number() })),
    calendars: z.array(z.record(z.string(), z.unknown())).describe('Cron strings come back as calendars'),
    skip: z.array(z.record(z.string(), z.unknown())),
    timezone: z.string().nullable(),
    jitterMs: z.number().nullable(),
    startAt: z.string().nullable(),
    endAt: z.string().nullable(),
  }),
  policies: z.object({ overlap: z.string(), catchupWindowMs: z.number(), pauseOnFailure: z.boolean() }),
  state: z.object({ paused: z.boolean(), note: z.string().nullable(), remainingActions: z.number().nullable() }),
  info: z.object({
    nextActionTimes: z.array(z.string()),
    recentActions: z.array(recentActionSchema),
    runningWorkflowIds: z.array(z.string()),
    numActionsTaken: z.number(),
    numActionsSkippedOverlap: z.number(),
    numActionsMissedCatchupWindow: z.number(),
    createdAt: z.string(),
    lastUpdatedAt: z.string().nullable(),
  }),
});
export type ScheduleView = z.infer<typeof scheduleDescriptionSchema>;

export const listedScheduleSchema = z.object({
  scheduleId: z.string(),
  workflowType: z.string(),
  paused: z.boolean(),
  note: z.string().nullable(),
  nextActionTimes: z.array(z.string()),
  recentActions: z.array(recentActionSchema),
});
export type ListedSchedule = z.infer<typeof listedScheduleSchema>;

export const backfillInputSchema = z
  .strictObject({
    scheduleId: scheduleIdSchema,
    start: isoTime.describe('Start of the range (inclusive)'),
    end: isoTime.describe('End of the range (inclusive)'),
    overlap: overlapSchema.optional(),
  })
  .superRefine((body, ctx) => {
    if (Date.parse(body.end) < Date.parse(body.start))
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'must not be before start' });
  });

export const matchingTimesInputSchema = z
  .strictObject({ scheduleId: scheduleIdSchema, from: isoTime, to: isoTime })
  .superRefine((body, ctx) => {
    if (Date.parse(body.to) < Date.parse(body.from))
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  });
