import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { jwtTenantRequired, tenantSchema, type Config } from '../../common/config';
import type { Caller } from './caller';
import { SCOPES, type Scope } from './scopes';

/** The settings the JWT verifier reads besides the key set's URL (the authenticator passes them through). */
export type JwtSettings = Pick<
  Config,
  | 'AUTH_JWT_ISSUER'
  | 'AUTH_JWT_AUDIENCE'
  | 'AUTH_JWT_ALGORITHMS'
  | 'AUTH_JWT_CLOCK_TOLERANCE_S'
  | 'AUTH_JWT_SCOPES_CLAIM'
  | 'AUTH_JWT_TENANT_CLAIM'
  | 'AUTH_JWKS_COOLDOWN_MS'
  | 'AUTH_JWT_REQUIRE_TENANT'
  | 'NODE_ENV'
  | 'AUTH_API_KEYS'
>;
/** A verifier exists only once AUTH_JWKS_URL is set. */
type JwtConfig = JwtSettings & { AUTH_JWKS_URL: string };

/** Why a token was refused: `unavailable` when the key set could not be fetched (not the caller's fault). */
export class TokenRejected extends Error {
  constructor(
    message: string,
    readonly unavailable = false,
  ) {
    super(message);
  }
}

const JWKS_TIMEOUT_MS = 5_000;

function scopesOf(claim: unknown): Scope[] {
  const values = typeof claim === 'string' ? claim.split(' ') : Array.isArray(claim) ? claim : [];
  return SCOPES.filter((scope) => values.includes(scope));
}

function reasonOf(error: unknown): TokenRejected {
  if (error instanceof TokenRejected) return error;
  if (error instanceof joseErrors.JWTExpired) return new TokenRejected('token expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return new TokenRejected(`token claim "${error.claim}" rejected: ${error.reason}`);
  if (error instanceof joseErrors.JWKSNoMatchingKey) return new TokenRejected('token signed by an unknown key');
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return new TokenRejected('token algorithm not allowed');
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid)
    return new TokenRejected('the key set (JWKS) cannot be fetched', true);
  // jose throws its base error (code ERR_JOSE_GENERIC) only when the JWKS answers other than 200 or not JSON.
  if (error instanceof joseErrors.JOSEError && error.code === 'ERR_JOSE_GENERIC')
    return new TokenRejected('the key set (JWKS) cannot be fetched', true);
  if (error instanceof joseErrors.JOSEError) return new TokenRejected('invalid token');
  // fetch() failures (the JWKS host is down) are not JOSE errors.
  return new TokenRejected('the key set (JWKS) cannot be fetched', true);
}

/** Verifies JWT bearer tokens against a remote JWKS (cached by jose; an unknown kid refetches it). */
export function jwtVerifier(config: JwtConfig): (token: string) => Promise<Caller> {
  const jwks = createRemoteJWKSet(new URL(config.AUTH_JWKS_URL), {
    timeoutDuration: JWKS_TIMEOUT_MS,
    cooldownDuration: config.AUTH_JWKS_COOLDOWN_MS,
  });
  const tenantRequired = jwtTenantRequired(config);
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: config.AUTH_JWT_ISSUER,
        audience: config.AUTH_JWT_AUDIENCE,
        algorithms: config.AUTH_JWT_ALGORITHMS,
        clockTolerance: config.AUTH_JWT_CLOCK_TOLERANCE_S,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      throw reasonOf(error);
    }
    const tenantClaim = payload[config.AUTH_JWT_TENANT_CLAIM];
    if (tenantClaim === undefined && tenantRequired)
      throw new TokenRejected(`token has no "${config.AUTH_JWT_TENANT_CLAIM}" claim, which this service requires`);
    let tenant: string | undefined;
    if (tenantClaim !== undefined) {
      const parsed = tenantSchema.safeParse(tenantClaim);
      if (!parsed.success)
        throw new TokenRejected(`token claim "${config.AUTH_JWT_TENANT_CLAIM}" is not a tenant name`);
      tenant = parsed.data;
    }
    return { kind: 'jwt', name: String(payload.sub), scopes: scopesOf(payload[config.AUTH_JWT_SCOPES_CLAIM]), tenant };
  };
}
