import type { IncomingHttpHeaders } from 'node:http';
import type { Config } from '../../common/config';
import { ApiError } from '../errors/mapping';
import { apiKeyLookup } from './api-keys';
import { ANONYMOUS_CALLER, type Caller } from './caller';
import { withTenantCapacity } from './fairness';
import { jwtVerifier, TokenRejected, type JwtSettings } from './jwt';

export const REALM = 'temporal-http';

/** A 401: the WWW-Authenticate challenge goes out with it, on every transport. */
export class UnauthorizedError extends ApiError {
  constructor(message: string, tokenError?: 'invalid_token') {
    const error = tokenError ? `, error="${tokenError}", error_description="${message.replace(/"/g, "'")}"` : '';
    super({ code: 'UNAUTHORIZED', message, headers: { 'www-authenticate': `Bearer realm="${REALM}"${error}` } });
  }
}

export interface Authenticator {
  /** Which credentials are accepted; neither means auth is off and every caller is anonymous. */
  readonly schemes: { apiKey: boolean; jwt: boolean };
  /** The caller behind a request's credentials; throws UnauthorizedError (or a 503 ApiError when JWKS is down). */
  authenticate(headers: IncomingHttpHeaders): Promise<Caller>;
}

type AuthConfig = Pick<Config, 'AUTH_API_KEYS' | 'AUTH_JWKS_URL' | 'AUTH_JWT_TENANT_CAPACITY'> & JwtSettings;

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The credential a request presents: `Authorization: Bearer <key or JWT>` or `X-API-Key: <key>`, never both (RFC 6750
 * §2: one method per request; which one should win is not for the server to guess): that is a 400 invalid_request.
 */
function credentialOf(headers: IncomingHttpHeaders): string | undefined {
  const apiKey = single(headers['x-api-key']);
  if (apiKey !== undefined && headers.authorization !== undefined)
    throw new ApiError({
      code: 'BAD_REQUEST',
      message: 'Send one credential: Authorization or X-API-Key, not both',
      details: { header: 'X-API-Key' },
      headers: { 'www-authenticate': `Bearer realm="${REALM}", error="invalid_request"` },
    });
  if (apiKey !== undefined) return apiKey.trim();
  const authorization = single(headers.authorization);
  if (authorization === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) throw new UnauthorizedError('Authorization must be "Bearer <API key or token>"', 'invalid_token');
  return match[1];
}

/** Builds the authenticator the configuration asks for: API keys, JWTs, both, or none (auth off). */
export function createAuthenticator(config: AuthConfig): Authenticator {
  const lookUpKey = config.AUTH_API_KEYS ? apiKeyLookup(config.AUTH_API_KEYS) : undefined;
  const verifyJwt = config.AUTH_JWKS_URL ? jwtVerifier({ ...config, AUTH_JWKS_URL: config.AUTH_JWKS_URL }) : undefined;
  const schemes = { apiKey: lookUpKey !== undefined, jwt: verifyJwt !== undefined };
  if (!lookUpKey && !verifyJwt) return { schemes, authenticate: () => Promise.resolve(ANONYMOUS_CALLER) };

  return {
    schemes,
    async authenticate(headers) {
      const credential = credentialOf(headers);
      if (credential === undefined || credential === '') throw new UnauthorizedError('Credentials required');
      if (verifyJwt && JWT_SHAPE.test(credential)) {
        try {
          return withTenantCapacity(await verifyJwt(credential), config.AUTH_JWT_TENANT_CAPACITY);
        } catch (error) {
          if (error instanceof TokenRejected && error.unavailable)
            throw new ApiError({
              code: 'SERVICE_UNAVAILABLE',
              message: 'Tokens cannot be verified now; try again later',
              cause: error,
            });
          throw new UnauthorizedError(error instanceof Error ? error.message : 'invalid token', 'invalid_token');
        }
      }
      const caller = lookUpKey?.(credential);
      if (!caller) throw new UnauthorizedError('Invalid API key', 'invalid_token');
      return caller;
    },
  };
}
