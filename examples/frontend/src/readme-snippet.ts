import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import type { AppRouter } from 'temporal-http/router'; // types only: nothing of the server is bundled

const trpc = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url: 'http://localhost:3000/trpc' }),
      false: httpBatchLink({ url: 'http://localhost:3000/trpc', maxItems: 10 }), // the server's batch limit
    }),
  ],
});

const { workflowId } = await trpc.workflows.YourWorkflow.start.mutate({ input: 'World' }); // input: 42 is a compile error
const outcome = await trpc.workflows.YourWorkflow.result.query({ workflowId, waitMs: 5000 });
if (outcome.status === 'COMPLETED') console.log(outcome.result.toUpperCase()); // result: string, from the contract

const greeting = await trpc.workflows.YourWorkflow.execute.mutate({ input: 'Ada', waitMs: 5000 });
if (greeting.status === 'COMPLETED') console.log(greeting.result.toUpperCase()); // result: string, typed per workflow

const status = await trpc.workflows.OrderFulfilment.queries.status.query({ workflowId: 'order-A-1001' }); // typed
console.log(status.step, status.progress);
trpc.workflows.OrderFulfilment.events.subscribe(
  { workflowId: 'order-A-1001' },
  { onData: ({ data }) => console.log(data.progress?.step, data.outcome?.status) }, // progress: the status query's type
);
