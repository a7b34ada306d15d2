import { Context } from '@temporalio/activity';

/** The seed's activity argument: one object, so fields can be added without breaking callers. */
export interface YourParams {
  greeting: string;
  name: string;
}

export interface DelayedGreetingParams extends YourParams {
  delayMs: number;
}

const HEARTBEAT_EVERY_MS = 200;

/** Greeting activities; activity type names are the object's keys (the seed's snake_case names). */
export function createGreetingActivities(): {
  your_activity(input: YourParams): Promise<string>;
  delayed_greeting(input: DelayedGreetingParams): Promise<string>;
} {
  return {
    /** Returns "<greeting>, <name>!" (the seed's your_activity). */
    async your_activity(input: YourParams): Promise<string> {
      return `${input.greeting}, ${input.name}!`;
    },

    /** Returns the same greeting after a delay, heartbeating so that cancellation reaches it. */
    async delayed_greeting(input: DelayedGreetingParams): Promise<string> {
      const context = Context.current();
      let waited = 0;
      while (waited < input.delayMs) {
        const step = Math.min(HEARTBEAT_EVERY_MS, input.delayMs - waited);
        await context.sleep(step); // rejects with CancelledFailure once cancellation is delivered
        waited += step;
        context.heartbeat(waited);
      }
      return `${input.greeting}, ${input.name}!`;
    },
  };
}
