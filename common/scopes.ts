/**
 * The permissions a caller can hold, one per kind of operation. Defined here (not in api/) because the config
 * validates AUTH_API_KEYS against them at start-up; the API imports them through api/auth/scopes.ts.
 */
export const SCOPES = [
  'workflows:start',
  'workflows:read',
  'workflows:signal',
  'workflows:cancel',
  'workflows:terminate',
  'schedules:read',
  'schedules:write',
] as const;
