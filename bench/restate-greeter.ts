// B9's peer: the same one-activity greeting as YourWorkflow, as a Restate service. The handler's one durable step
// (ctx.run, journaled by the Restate server) stands for your_activity. Usage: restate-greeter <port>.
import * as restate from '@restatedev/restate-sdk';

// The SDK calls Promise.withResolvers (Node 22+) although its package.json names no engine; this project runs on
// Node 20, so the benchmark supplies the standard one-liner.
const promiseStatics = Promise as unknown as { withResolvers?: () => unknown };
promiseStatics.withResolvers ??= function withResolvers<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
};

const greeter = restate.service({
  name: 'Greeter',
  handlers: {
    /** Returns "Hello, <name>!" from one journaled step, like YourWorkflow's your_activity. */
    greet: async (ctx: restate.Context, name: string): Promise<string> =>
      ctx.run('your_activity', () => `Hello, ${name}!`),
  },
});

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error('usage: restate-greeter <port>');
void restate.serve({ services: [greeter], port });
