import { SCOPES } from '../../common/scopes';

export { SCOPES };

/**
 * What a procedure requires of its caller (declared in its meta, next to its route):
 * - workflows:start — start, execute, signal-with-start, update-with-start
 * - workflows:read — describe, result, list, queries, progress stream, task-queue view
 * - workflows:signal — signals and updates
 * - workflows:cancel — cancel
 * - workflows:terminate — terminate (an admin action)
 * - schedules:read — list, describe, matching times of schedules
 * - schedules:write — create, update, delete, pause, unpause, trigger, backfill schedules
 */
export type Scope = (typeof SCOPES)[number];
