import type { Client } from '@temporalio/client';
import type { Config } from '../../common/config';
import type { Logger } from '../../common/logger';
import { createAuthenticator, type Authenticator } from './authenticator';
import { createBackpressure, type Backpressure } from './backpressure';
import { createRateLimits, type RateLimits } from './rate-limits';
import { createRunningCap, type RunningCap } from '../temporal/running-cap';

/** What guards every request, built once per app from the config: who calls, how often, and whether to refuse starts. */
export interface SecurityServices {
  authenticator: Authenticator;
  limits: RateLimits;
  backpressure: Backpressure;
  /** Each tenant's cap on its open runs of a type (maxRunning). */
  runningCap: RunningCap;
}

export function createSecurityServices(client: Client, config: Config, logger?: Logger): SecurityServices {
  const storeError = (error: Error): void =>
    logger?.warn({ error: error.message }, 'rate-limit store unreachable: this replica counts alone until it is back');
  return {
    authenticator: createAuthenticator(config),
    limits: createRateLimits(config, storeError),
    backpressure: createBackpressure(client, config),
    runningCap: createRunningCap(client, config),
  };
}
