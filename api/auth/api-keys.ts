import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyEntry } from '../../common/config';
import type { Caller } from './caller';

/** The hex SHA-256 of a key: what the configuration holds instead of the key. */
export function apiKeyDigest(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random key (256 bits); the prefix makes a leaked one easy to find with secret scanners. */
export function newApiKey(): string {
  return `thk_${randomBytes(32).toString('base64url')}`;
}

/** Finds the configured key a presented one matches; every digest is compared, in constant time. */
export function apiKeyLookup(entries: readonly ApiKeyEntry[]): (key: string) => Caller | undefined {
  const digests = entries.map((entry) => ({ entry, digest: Buffer.from(entry.sha256, 'hex') }));
  return (key) => {
    const presented = createHash('sha256').update(key, 'utf8').digest();
    let match: ApiKeyEntry | undefined;
    for (const { entry, digest } of digests) {
      // No early exit: the time taken does not tell which entry (if any) matched.
      if (timingSafeEqual(presented, digest) && match === undefined) match = entry;
    }
    if (!match) return undefined;
    return {
      kind: 'api-key',
      name: match.name,
      scopes: match.scopes,
      tenant: match.tenant,
      workflowTypes: match.workflowTypes,
      capacity: { fairnessWeight: match.fairnessWeight, priorityKey: match.priorityKey, maxRunning: match.maxRunning },
    };
  };
}
