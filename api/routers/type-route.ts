import { protectedProcedure, type ApiMeta } from '../trpc';

export type RouteMeta = Omit<ApiMeta, 'openapi'> & { openapi: Omit<NonNullable<ApiMeta['openapi']>, 'tags'> };

/** A procedure behind one REST route of a workflow type: its meta as declared, its route tagged with the type. */
export function typeRoute(workflowType: string, { openapi, ...meta }: RouteMeta) {
  return protectedProcedure.meta({ ...meta, openapi: { ...openapi, tags: [workflowType] } });
}
