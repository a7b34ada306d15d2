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
        namespace: z.string(),
        temporalUiUrl: z.string().nullable(),
        workflowTypes: z.array(catalogEntrySchema),
      }),
    )
    .query(({ ctx }) => ({
      namespace: namespaceOf(ctx.client),
      temporalUiUrl: ctx.config.TEMPORAL_UI_URL ?? null,
      workflowTypes: [...workflowCatalog],
    })),
});
