import type { Client } from '@temporalio/client';
import type { Config } from '../../common/config';
import { searchAttributeMissingMessage, TENANT_SEARCH_ATTRIBUTE } from '../../common/search-attributes';

// As short as the readiness probe's other check: a probe that hangs tells the orchestrator nothing.
const CHECK_TIMEOUT_MS = 1_000;

/** Whether the tenant's search attribute is registered: undefined when it is, else what the operator must do. */
export type TenantAttributeCheck = () => Promise<string | undefined>;

/**
 * The readiness check for the tenant search attribute, when callers can have tenants (an API key with a tenant, or
 * JWTs, whose tenant claim is optional). Without it every start by a tenant's caller fails; a probe that says so
 * keeps the replica out of rotation and names the command. Once seen registered, it is not asked again.
 */
export function tenantAttributeCheck(client: Client, config: Config): TenantAttributeCheck | undefined {
  const tenantsPossible =
    config.AUTH_JWKS_URL !== undefined || (config.AUTH_API_KEYS ?? []).some((key) => key.tenant !== undefined);
  if (!tenantsPossible) return undefined;
  const namespace = config.TEMPORAL_NAMESPACE;
  let registered = false;
  return async () => {
    if (registered) return undefined;
    const { customAttributes } = await client.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () =>
      client.connection.operatorService.listSearchAttributes({ namespace }),
    );
    registered = customAttributes?.[TENANT_SEARCH_ATTRIBUTE] !== undefined;
    return registered ? undefined : searchAttributeMissingMessage(TENANT_SEARCH_ATTRIBUTE, namespace);
  };
}
