import { createGreetingActivities } from './greeting-activities';
import { createOrderActivities, type OrderActivities } from './order-activities';
import type { OrderServices } from './order-services';

/** What activities need from the outside world; the worker passes real clients, tests pass fakes. */
export type ActivityDeps = OrderServices;

/** Builds every activity the worker registers, keyed by activity type name. */
export function createActivities(deps: ActivityDeps): Activities {
  return { ...createGreetingActivities(), ...createOrderActivities(deps) };
}

export type Activities = ReturnType<typeof createGreetingActivities> & OrderActivities;
export type { YourParams } from './greeting-activities';
