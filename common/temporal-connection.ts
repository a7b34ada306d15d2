import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from './config';

/** Connection settings shared by the API's Client and the worker's NativeConnection. */
export interface TemporalConnectionSettings {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

/** Builds connection settings from config: plain for the dev server, TLS (mTLS or API key) for a cluster or Temporal Cloud. */
export function temporalConnectionSettings(config: Config): TemporalConnectionSettings {
  const hasCertificates =
    config.TEMPORAL_TLS_CLIENT_CERT_PATH !== undefined && config.TEMPORAL_TLS_CLIENT_KEY_PATH !== undefined;
  const wantsTls = config.TEMPORAL_TLS ?? (hasCertificates || config.TEMPORAL_API_KEY !== undefined);
  if (!wantsTls) return { address: config.TEMPORAL_ADDRESS, apiKey: config.TEMPORAL_API_KEY };

  const tls: TLSConfig = {
    serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME,
    serverRootCACertificate: config.TEMPORAL_TLS_SERVER_CA_CERT_PATH
      ? readFileSync(config.TEMPORAL_TLS_SERVER_CA_CERT_PATH)
      : undefined,
    clientCertPair: hasCertificates
      ? {
          crt: readFileSync(config.TEMPORAL_TLS_CLIENT_CERT_PATH as string),
          key: readFileSync(config.TEMPORAL_TLS_CLIENT_KEY_PATH as string),
        }
      : undefined,
  };
  return { address: config.TEMPORAL_ADDRESS, tls, apiKey: config.TEMPORAL_API_KEY };
}
