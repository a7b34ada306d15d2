import { createGreetingActivities } from './greeting-activities';

/** What activities need from the outside world; the worker passes real clients, tests pass fakes. */
export type ActivityDeps = Record<string, never>;

/** Builds every activity the worker registers, keyed by activity type name. */
export function createActivities(_deps: ActivityDeps = {}): Activities {
  return { ...createGreetingActivities() };
}

export type Activities = ReturnType<typeof createGreetingActivities>;
export type { YourParams } from './greeting-activities';
