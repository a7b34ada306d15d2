import { z } from 'zod';
import { yourWorkflowContract } from '../../workflows/your-workflow.contract';
import {
  backfillSchedule,
  createSchedule,
  deleteSchedule,
  describeSchedule,
  listSchedules,
  patchSchedule,
  replaceSchedule,
  scheduleMatchingTimes,
  setSchedulePaused,
  triggerSchedule,
} from '../schedules/schedule-operations';
import {
  backfillInputSchema,
  createScheduleInputSchema,
  listedScheduleSchema,
  matchingTimesInputSchema,
  overlapSchema,
  patchScheduleInputSchema,
  replaceScheduleInputSchema,
  scheduleDescriptionSchema,
  scheduleIdSchema,
} from '../schedules/schedule-schemas';
import { protectedProcedure, router } from '../trpc';
import { pageInputShape } from './page-input';

const tags = ['schedules'];
const BY_ID_ERRORS = {
  400: 'Invalid schedule ID or body',
  404: 'No schedule with this ID',
  503: 'Temporal unavailable',
};
const byId = z.strictObject({ scheduleId: scheduleIdSchema });
const noteInput = z.strictObject({
  scheduleId: scheduleIdSchema,
  note: z.string().min(1).max(1000).optional().describe('Why; shown with the schedule'),
});

/** An example body from a contract: a YourWorkflow greeting every 30 seconds. */
const createExample = {
  scheduleId: 'greet-every-30s',
  workflowType: yourWorkflowContract.workflowType,
  input: yourWorkflowContract.exampleInput,
  spec: { intervals: [{ every: '30s' }] },
  policies: { overlap: 'SKIP' },
};
const { scheduleId: _id, ...replaceExample } = createExample;

/** Schedules of contract workflows: cron strings, intervals and calendars, with Temporal's schedule engine. */
/** POST /schedules/{scheduleId}/pause or /unpause: sets the schedule's paused state, with a note saying why. */
function pausingProcedure(paused: boolean, exampleNote: string) {
  const action = paused ? 'pause' : 'unpause';
  return protectedProcedure
    .meta({
      scope: 'schedules:write',
      openapi: {
        method: 'POST',
        path: `/schedules/{scheduleId}/${action}`,
        tags,
        summary: `${paused ? 'Pause' : 'Unpause'} a schedule, with a note`,
        errorResponses: BY_ID_ERRORS,
      },
      example: { note: exampleNote },
    })
    .input(noteInput)
    .output(scheduleDescriptionSchema)
    .mutation(({ ctx, input }) => setSchedulePaused(ctx, input.scheduleId, paused, input.note));
}

export const schedulesRouter = router({
  /** Creates a schedule that starts a contract workflow with a checked input on a cron, interval or calendar spec. */
  create: protectedProcedure
    .meta({
      scope: 'schedules:write',
      openapi: {
        method: 'POST',
        path: '/schedules',
        tags,
        summary: 'Create a schedule of a contract workflow',
        description:
          "input is checked against the workflow's contract now, so a schedule never fires a run that fails validation. " +
          'An existing schedule ID is a 409; with an Idempotency-Key header the same body answers the same schedule.',
        errorResponses: {
          400: 'Invalid body: unknown workflow type, input, cron string, time zone, interval under 1 s, end before start',
          403: 'Missing scope, or a workflow type this caller may not use',
          409: 'A schedule with this ID exists',
          422: 'Idempotency-Key reused with a different body',
          503: 'Temporal unavailable',
        },
      },
      example: createExample,
    })
    .input(createScheduleInputSchema)
    .output(scheduleDescriptionSchema)
    .mutation(({ ctx, input }) => createSchedule(ctx, input)),

  /** Lists the caller's schedules (its tenant's), a page at a time. */
  list: protectedProcedure
    .meta({
      scope: 'schedules:read',
      openapi: {
        method: 'GET',
        path: '/schedules',
        tags,
        summary: "List the caller's schedules, with pagination",
        description: 'Pass nextPageToken back as pageToken for the next page. Visibility is eventually consistent.',
        errorResponses: { 400: 'Invalid page size or token', 503: 'Temporal unavailable' },
      },
    })
    .input(
      z.strictObject({
        ...pageInputShape,
      }),
    )
    .output(z.object({ schedules: z.array(listedScheduleSchema), nextPageToken: z.string().nullable() }))
    .query(({ ctx, input }) => listSchedules(ctx, input)),

  /** A schedule: spec, policies, state, next action times and the runs it started lately. */
  describe: protectedProcedure
    .meta({
      scope: 'schedules:read',
      openapi: {
        method: 'GET',
        path: '/schedules/{scheduleId}',
        tags,
        summary: 'Describe a schedule: spec, state, next action times, recent runs',
        errorResponses: BY_ID_ERRORS,
      },
    })
    .input(byId)
    .output(scheduleDescriptionSchema)
    .query(({ ctx, input }) => describeSchedule(ctx, input.scheduleId)),

  /** Replaces a schedule's workflow, input, spec and policies (its state only when given). */
  replace: protectedProcedure
    .meta({
      scope: 'schedules:write',
      openapi: {
        method: 'PUT',
        path: '/schedules/{scheduleId}',
        tags,
        summary: 'Replace a schedule (same body as create)',
        errorResponses: { ...BY_ID_ERRORS, 403: 'Missing scope, or a workflow type this caller may not use' },
      },
      example: replaceExample,
    })
    .input(replaceScheduleInputSchema)
    .output(scheduleDescriptionSchema)
    .mutation(({ ctx, input }) => replaceSchedule(ctx, input)),

  /** Changes the sections given (spec, policies, state, input, workflowType, workflowId). */
  patch: protectedProcedure
    .meta({
      scope: 'schedules:write',
      openapi: {
        method: 'PATCH',
        path: '/schedules/{scheduleId}',
        tags,
        summary: 'Change parts of a schedule',
        description: "Each section given replaces the schedule's; input is checked against the workflow's contract.",
        errorResponses: { ...BY_ID_ERRORS, 403: 'Missing scope, or a workflow type this caller may not use' },
      },
      example: { spec: { cronExpressions: ['0 9 * * MON-FRI'], timezone: 'Europe/Paris' } },
    })
    .input(patchScheduleInputSchema)
    .output(scheduleDescriptionSchema)
    .mutation(({ ctx, input }) => patchSchedule(ctx, input)),

  /** Deletes a schedule; runs it started go on. */
  delete: protectedProcedure
    .meta({
      scope: 'schedules:write',
      openapi: {
        method: 'DELETE',
        path: '/schedules/{scheduleId}',
        tags,
        summary: 'Delete a schedule',
        errorResponses: BY_ID_ERRORS,
      },
    })
    .input(byId)
    .output(z.object({ scheduleId: z.string(), deleted: z.literal(true) }))
    .mutation(({ ctx, input }) => deleteSchedule(ctx, input.scheduleId)),

  /** Pauses a schedule with a note: no action fires until it is unpaused. */
  pause: pausingProcedure(true, 'paused during the migration'),

  /** Unpauses a schedule with a note. */
  unpause: pausingProcedure(false, 'migration done'),

  /** Starts the schedule's workflow now, under an overlap policy (the schedule's by default). */
  trigger: protectedProcedure
    .meta({
      scope: 'schedules:write',
      openapi: {
        method: 'POST',
        path: '/schedules/{scheduleId}/trigger',
        tags,
        summary: "Run a schedule's workflow now",
        description: "The run shows in the schedule's recentActions (describe) once Temporal started it.",
        errorResponses: BY_ID_ERRORS,
      },
      example: { overlap: 'ALLOW_ALL' },
    })
    .input(z.strictObject({ scheduleId: scheduleIdSchema, overlap: overlapSchema.optional() }))
    .output(z.object({ scheduleId: z.string(), triggered: z.literal(true) }))
    .mutation(({ ctx, input }) => triggerSchedule(ctx, input.scheduleId, input.overlap)),

  /** Takes the actions the schedule would have taken in a time range (e.g. the hours it was paused). */
  backfill: protectedProcedure
    .meta({
      scope: 'schedules:write',
      openapi: {
        method: 'POST',
        path: '/schedules/{scheduleId}/backfill',
        tags,
        summary: 'Backfill a schedule over a time range',
        errorResponses: BY_ID_ERRORS,
      },
      example: { start: '2026-01-01T00:00:00Z', end: '2026-01-01T00:01:00Z', overlap: 'ALLOW_ALL' },
    })
    .input(backfillInputSchema)
    .output(z.object({ scheduleId: z.string(), backfilled: z.object({ start: z.string(), end: z.string() }) }))
    .mutation(({ ctx, input }) => backfillSchedule(ctx, input)),

  /** A dry run: the times in a range at which the schedule fires; nothing is started. */
  matchingTimes: protectedProcedure
    .meta({
      scope: 'schedules:read',
      openapi: {
        method: 'GET',
        path: '/schedules/{scheduleId}/matching-times',
        tags,
        summary: 'Which times in [from, to] the schedule fires at (a dry run)',
        errorResponses: BY_ID_ERRORS,
      },
    })
    .input(matchingTimesInputSchema)
    .output(z.object({ scheduleId: z.string(), times: z.array(z.string()) }))
    .query(({ ctx, input }) => scheduleMatchingTimes(ctx, input)),
});
