import type { Config } from '../../common/config';

/** One phrase for the start-up line: which credentials the API accepts, or that auth is off. */
export function authSummary(config: Pick<Config, 'AUTH_API_KEYS' | 'AUTH_API_KEYS_FILE' | 'AUTH_JWKS_URL'>): string {
  const on = [
    config.AUTH_API_KEYS ? `${config.AUTH_API_KEYS.length} API key(s)` : undefined,
    !config.AUTH_API_KEYS && config.AUTH_API_KEYS_FILE ? `API keys from ${config.AUTH_API_KEYS_FILE}` : undefined,
    config.AUTH_JWKS_URL ? `JWT (${config.AUTH_JWKS_URL})` : undefined,
  ].filter((part) => part !== undefined);
  return on.length > 0
    ? on.join(' + ')
    : 'off: every caller is anonymous with every scope (set AUTH_API_KEYS or AUTH_JWKS_URL)';
}
