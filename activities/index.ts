import { createGreetingActivities } from './greeting-activities';
import { createOrderActivities } from './order-activities';
import type { OrderServices } from './order-services';
import { createWebhookActivities, type WebhookSettings } from './webhook-delivery';

/**
 * What activities need from the outside world; the worker passes real clients, tests pass fakes. Without `webhooks`
 * (no CALLBACK_SIGNING_SECRET) a callback's delivery attempts fail and say why.
 */
export type ActivityDeps = OrderServices & { webhooks?: WebhookSettings };

/** Builds every activity the worker registers, keyed by activity type name. */
export function createActivities(deps: ActivityDeps) {
  return { ...createGreetingActivities(), ...createOrderActivities(deps), ...createWebhookActivities(deps.webhooks) };
}

/** Every activity's type, derived from what createActivities returns: a new activity file is one edit, there. */
export type Activities = ReturnType<typeof createActivities>;
export type { YourParams } from './greeting-activities';
