import { createGreetingActivities } from './greeting-activities';
import { createOrderActivities, type OrderActivities } from './order-activities';
import type { OrderServices } from './order-services';
import { createWebhookActivities, type WebhookActivities, type WebhookSettings } from './webhook-delivery';

/**
 * What activities need from the outside world; the worker passes real clients, tests pass fakes. Without `webhooks`
 * (no CALLBACK_SIGNING_SECRET) a callback's delivery attempts fail and say why.
 */
export type ActivityDeps = OrderServices & { webhooks?: WebhookSettings };

/** Builds every activity the worker registers, keyed by activity type name. */
export function createActivities(deps: ActivityDeps): Activities {
  return { ...createGreetingActivities(), ...createOrderActivities(deps), ...createWebhookActivities(deps.webhooks) };
}

export type Activities = ReturnType<typeof createGreetingActivities> & OrderActivities & WebhookActivities;
export type { YourParams } from './greeting-activities';
