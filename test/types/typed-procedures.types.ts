// Type-level tests, compiled by `npm run typecheck` (never run): the procedure types a typed client sees
// (api/routers/typed-procedures.ts states them, with the one cast) equal the types the runtime schemas infer.
import type { AnyTRPCProcedure, inferProcedureInput, inferProcedureOutput } from '@trpc/server';
import type { z } from 'zod';
import {
  queryInputSchema,
  type signaledSchema,
  signalInputSchema,
  signalWithStartInputSchema,
  updateInputSchema,
  updateWithStartInputSchema,
  updateWithStartOutputSchema,
} from '../../api/message-schemas';
import type { AppRouter } from '../../api/router';
import { type eventsInputSchema } from '../../api/routers/progress-subscription';
import {
  executeInputSchema,
  outcomeSchema,
  type resultInputSchema,
  type startedSchema,
  startInputSchema,
  updateOutcomeSchema,
} from '../../api/schemas';
import type {
  OrderFulfilmentOutput,
  OrderStatus,
  orderFulfilmentContract,
} from '../../workflows/order-fulfilment/order-fulfilment.contract';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

// The runtime schemas, built from the order contract as the routers build them (never called: types only).
function _orderSchemas(contract: typeof orderFulfilmentContract) {
  const { approve } = contract.signals;
  const { status } = contract.queries;
  const { changeShippingAddress } = contract.updates;
  return {
    start: startInputSchema(contract.input),
    execute: executeInputSchema(contract.input),
    outcome: outcomeSchema(contract.output),
    approve: signalInputSchema(approve.input),
    status: queryInputSchema(status.input),
    change: updateInputSchema(changeShippingAddress.input),
    changeOutcome: updateOutcomeSchema(changeShippingAddress.output),
    approveWithStart: signalWithStartInputSchema(contract.input, approve.input),
    changeWithStart: updateWithStartInputSchema(contract.input, changeShippingAddress.input),
    changeWithStartOutcome: updateWithStartOutputSchema(changeShippingAddress.output),
  };
}
type S = ReturnType<typeof _orderSchemas>;
type Order = AppRouter['workflows']['OrderFulfilment'];
type In<P extends AnyTRPCProcedure> = inferProcedureInput<P>;

export type _Start = [
  Expect<Equal<inferProcedureInput<Order['start']>, z.input<S['start']>>>,
  Expect<Equal<inferProcedureOutput<Order['start']>, z.output<typeof startedSchema>>>,
];
export type _Execute = [
  Expect<Equal<inferProcedureInput<Order['execute']>, z.input<S['execute']>>>,
  Expect<Equal<inferProcedureOutput<Order['execute']>, z.output<S['outcome']>>>,
];
export type _Result = [
  Expect<Equal<inferProcedureInput<Order['result']>, z.input<typeof resultInputSchema>>>,
  Expect<Equal<inferProcedureOutput<Order['result']>, z.output<S['outcome']>>>,
  // The point of it: the result is the contract's output type, not unknown.
  Expect<
    Equal<Extract<inferProcedureOutput<Order['result']>, { status: 'COMPLETED' }>['result'], OrderFulfilmentOutput>
  >,
];
type OrderEvent = inferProcedureOutput<Order['events']> extends AsyncIterable<{ data: infer E }> ? E : never;
export type _Events = [
  Expect<Equal<inferProcedureInput<Order['events']>, z.input<typeof eventsInputSchema>>>,
  Expect<Equal<NonNullable<OrderEvent['progress']>, OrderStatus>>,
  Expect<Equal<NonNullable<OrderEvent['outcome']>, z.output<S['outcome']>>>,
];
export type _Messages = [
  Expect<Equal<In<Order['signals']['approve']>, z.input<S['approve']>>>,
  Expect<Equal<inferProcedureOutput<Order['signals']['approve']>, z.output<typeof signaledSchema>>>,
  Expect<Equal<In<Order['queries']['status']>, z.input<S['status']>>>,
  Expect<Equal<inferProcedureOutput<Order['queries']['status']>, OrderStatus>>,
  Expect<Equal<In<Order['updates']['changeShippingAddress']>, z.input<S['change']>>>,
  Expect<Equal<inferProcedureOutput<Order['updates']['changeShippingAddress']>, z.output<S['changeOutcome']>>>,
  Expect<Equal<In<Order['signalWithStart']['approve']>, z.input<S['approveWithStart']>>>,
  Expect<Equal<In<Order['updateWithStart']['changeShippingAddress']>, z.input<S['changeWithStart']>>>,
  Expect<
    Equal<
      inferProcedureOutput<Order['updateWithStart']['changeShippingAddress']>,
      z.output<S['changeWithStartOutcome']>
    >
  >,
];
// A workflow without a progress query streams no typed progress.
type GreetingEvent =
  inferProcedureOutput<AppRouter['workflows']['YourWorkflow']['events']> extends AsyncIterable<{ data: infer E }>
    ? E
    : never;
export type _NoProgress = Expect<Equal<GreetingEvent['progress'], undefined>>;
