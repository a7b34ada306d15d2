import { z } from 'zod';
import { catalogEntrySchema, workflowCatalog } from '../catalog';
import { authenticatedProcedure, router } from '../trpc';
import { namespaceOf } from '../temporal/service';

/** What the service offers, for generated clients and the web console. */
export const catalogRouter = router({
  /** Lists the workflow types with their summaries and the JSON Schemas of their inputs, signals, queries and updates. */
  workflowTypes: authenticatedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/catalog',
        tags: ['catalog'],
        summary: 'Workflow types with JSON Schemas of their inputs and messages',
        description:
          "Built from the contracts: a new workflow appears here (and in the web console) with no other change. temporalUiUrl links runs to Temporal's Web UI when configured.",
      },
    })
    .input(z.void())
    .output(
      z.object({
        namespace: z.string().describe('Empty for a caller limited to a tenant or to some workflow types'),
        temporalUiUrl: z.string().nullable().describe('Null when not configured, and for a limited caller'),
        workflowTypes: z.array(catalogEntrySchema),
      }),
    )
    .query(({ ctx }) => {
      // The namespace and the Web UI (which shows every tenant's runs) are an operator's; a caller limited to a tenant
      // or to some types hears neither, and only of the types it may use.
      const limited = ctx.caller.tenant !== undefined || ctx.caller.workflowTypes !== undefined;
      const types = ctx.caller.workflowTypes;
      return {
        namespace: limited ? '' : namespaceOf(ctx.client),
        temporalUiUrl: limited ? null : (ctx.config.TEMPORAL_UI_URL ?? null),
        workflowTypes: workflowCatalog.filter((entry) => !types || types.includes(entry.workflowType)),
      };
    }),
});
