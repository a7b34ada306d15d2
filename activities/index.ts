import { createGreetingActivities } from './greeting-activities';
import { createOrderActivities } from './order-activities';
import type { OrderServices } from './order-services';

/** What activities need from the outside world; the worker passes real clients, tests pass fakes. */
export type ActivityDeps = OrderServices;

/** Builds every activity the worker registers, keyed by activity type name. */
export function createActivities(deps: ActivityDeps) {
  return { ...createGreetingActivities(), ...createOrderActivities(deps) };
}

/** Every activity's type, derived from what createActivities returns: a new activity file is one edit, there. */
export type Activities = ReturnType<typeof createActivities>;
export type { YourParams } from './greeting-activities';
