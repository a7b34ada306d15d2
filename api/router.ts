import type { WorkflowContract } from '../workflows/contract';
import { workflowContracts } from '../workflows/contracts';
import { callbacksRouter } from './callbacks/callbacks-router';
import { linksRouter } from './links/links-router';
import { authRouter } from './routers/auth-router';
import { catalogRouter } from './routers/catalog-router';
import { executionsRouter } from './routers/executions-router';
import { schedulesRouter } from './routers/schedules-router';
import { typed } from './routers/typed-procedures';
import { workflowTypeRouter } from './routers/workflow-type-router';
import { router } from './trpc';

type WorkflowTypeRouters<Contracts extends readonly WorkflowContract[]> = {
  [C in Contracts[number] as C['workflowType']]: ReturnType<typeof workflowTypeRouter<C>>;
};

/** One sub-router per registered contract, keyed by workflow type, with its types kept for clients. */
function workflowTypeRouters<const Contracts extends readonly WorkflowContract[]>(
  contracts: Contracts,
): WorkflowTypeRouters<Contracts> {
  return typed<WorkflowTypeRouters<Contracts>>(
    Object.fromEntries(contracts.map((contract) => [contract.workflowType, workflowTypeRouter(contract)])),
  );
}

/** The whole API: served over tRPC at /trpc and as REST (OpenAPI) at /api. */
export const appRouter = router({
  workflows: router(workflowTypeRouters(workflowContracts)),
  executions: executionsRouter,
  schedules: schedulesRouter,
  auth: authRouter,
  catalog: catalogRouter,
  callbacks: callbacksRouter,
  links: linksRouter,
});

/** The type frontends import (`import type { AppRouter }`) for a fully typed tRPC client. */
export type AppRouter = typeof appRouter;
