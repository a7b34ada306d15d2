// The README's "From a typed frontend" snippet, compiled in CI the way a project outside the service compiles it:
// `temporal-http` is a dependency (file:../.. here; a git or registry dependency elsewhere) that provides types only.
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from 'temporal-http/router'; // types only: nothing of the server is bundled

const url = 'http://localhost:3000/trpc';

export const trpc = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url }),
      false: httpBatchLink({ url, maxItems: 10 }), // the server refuses larger batches
    }),
  ],
});

/** Runs a greeting and waits for it: `input: 42`, or a misspelt workflow type, is a compile error. */
export async function greet(name: string): Promise<string | undefined> {
  const outcome = await trpc.workflows.YourWorkflow.execute.mutate({ input: name, waitMs: 10_000 });
  return outcome.status === 'COMPLETED' ? outcome.result : undefined; // result: string
}

/** Places an order and answers its tracking number; the input, the outcome and its result are typed. */
export async function placeOrder(orderId: string): Promise<string | undefined> {
  try {
    const outcome = await trpc.workflows.OrderFulfilment.execute.mutate({
      workflowId: orderId,
      input: {
        orderId,
        customerId: 'customer-42',
        items: [{ sku: 'BOOK-TEMPORAL', quantity: 1, unitPriceCents: 3_999 }],
        payment: { cardToken: 'tok_visa' },
        shippingAddress: { name: 'Ada Lovelace', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' },
      },
    });
    if (outcome.status === 'COMPLETED') return outcome.result.trackingNumber;
    if ('failure' in outcome)
      console.error(outcome.status, outcome.failure.applicationErrorType, outcome.failure.message);
    return undefined;
  } catch (error) {
    // The API's error shape: code, HTTP status, the fields at fault.
    if (error instanceof TRPCClientError) console.error(error.data?.code, error.data?.fieldErrors);
    throw error;
  }
}

/** Follows an order live (Server-Sent Events) until it closes; the status query's answer is typed too. */
export async function follow(orderId: string): Promise<void> {
  const status = await trpc.workflows.OrderFulfilment.queries.status.query({ workflowId: orderId });
  console.log(status.step, `${Math.round(status.progress * 100)}%`);
  const subscription = trpc.executions.events.subscribe(
    { workflowId: orderId },
    {
      onData: ({ data }) => {
        console.log(data.status, data.progress);
        if (data.status !== 'RUNNING') subscription.unsubscribe();
      },
    },
  );
}
