import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Config } from '../../common/config';
import { ApiError } from '../errors/mapping';

// An action link's token: a JWT (HS256, jose) signed with ACTION_LINK_SIGNING_SECRET. Everything the link may do is
// in it, so the service keeps no table of links; only its uses (and a revocation) are recorded, in Temporal.

const AUDIENCE = 'temporal-http:action-link';

/** What a link's token binds: the tenant, the stored workflow ID, the message and (if given) its fixed input. */
export const linkClaimsSchema = z.object({
  jti: z.string().min(1),
  /** The workflow ID as Temporal stores it (with the tenant's prefix). */
  sub: z.string().min(1),
  ten: z.string().optional(),
  wft: z.string().min(1),
  kind: z.enum(['signal', 'update']),
  msg: z.string().min(1),
  inp: z.record(z.string(), z.unknown()).optional(),
  max: z.number().int().min(1),
  exp: z.number().int(),
});
export type LinkClaims = z.infer<typeof linkClaimsSchema>;

/** Links are off without ACTION_LINK_SIGNING_SECRET: a 501 naming it. */
export function assertLinksOn(config: Pick<Config, 'ACTION_LINK_SIGNING_SECRET'>): asserts config is {
  ACTION_LINK_SIGNING_SECRET: string;
} {
  if (config.ACTION_LINK_SIGNING_SECRET === undefined)
    throw new ApiError({
      code: 'NOT_IMPLEMENTED',
      message: 'Action links are off: set ACTION_LINK_SIGNING_SECRET to turn them on',
      details: { variable: 'ACTION_LINK_SIGNING_SECRET' },
    });
}

function keyOf(config: Pick<Config, 'ACTION_LINK_SIGNING_SECRET'>): Uint8Array {
  assertLinksOn(config);
  return new TextEncoder().encode(config.ACTION_LINK_SIGNING_SECRET);
}

/** Signs a link's claims. */
export function signLink(config: Pick<Config, 'ACTION_LINK_SIGNING_SECRET'>, claims: LinkClaims): Promise<string> {
  const { exp, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(keyOf(config));
}

/**
 * Verifies a link's token: 401 when it is not one of ours (tampered, another secret), 410 once it has expired (the
 * signature is checked before the expiry, so an expired answer is only given for a genuine link).
 */
export async function verifyLink(
  config: Pick<Config, 'ACTION_LINK_SIGNING_SECRET'>,
  token: string,
): Promise<LinkClaims> {
  const key = keyOf(config);
  try {
    const { payload } = await jwtVerify(token, key, { audience: AUDIENCE, algorithms: ['HS256'] });
    return linkClaimsSchema.parse(payload);
  } catch (error) {
    if (error instanceof errors.JWTExpired)
      throw new ApiError({
        code: 'NOT_FOUND',
        httpStatus: 410,
        message: 'This link has expired',
        details: { reason: 'EXPIRED' },
      });
    throw new ApiError({ code: 'UNAUTHORIZED', message: 'Not a valid action link', details: { reason: 'INVALID' } });
  }
}
