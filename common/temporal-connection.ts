import { statSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { Config } from './config';

/** Connection settings shared by the API's Client and the worker's NativeConnection. */
export interface TemporalConnectionSettings {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

type ConnectionConfig = Pick<
  Config,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_API_KEY'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CLIENT_CERT_PATH'
  | 'TEMPORAL_TLS_CLIENT_KEY_PATH'
  | 'TEMPORAL_TLS_SERVER_CA_CERT_PATH'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_PROFILE'
  | 'TEMPORAL_CONFIG_FILE'
  | 'TEMPORAL_TLS_CLIENT_CERT_DATA'
  | 'TEMPORAL_TLS_CLIENT_KEY_DATA'
  | 'TEMPORAL_TLS_SERVER_CA_CERT_DATA'
>;

/**
 * Builds connection settings the way @temporalio/envconfig (and so the temporal CLI and other SDKs) reads them: the
 * config file's profile, then the TEMPORAL_* settings over it. Plain for the dev server; TLS when any TLS setting
 * is given or an API key is (Temporal Cloud), unless TEMPORAL_TLS=false.
 */
export function temporalConnectionSettings(config: ConnectionConfig): TemporalConnectionSettings {
  const asEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(config)) {
    if (name.startsWith('TEMPORAL_') && value !== undefined) asEnv[name] = String(value);
  }
  // loadConfig settled which file applies (TEMPORAL_CONFIG_FILE or the CLI's default); none, or an empty one, is none.
  const file = config.TEMPORAL_CONFIG_FILE;
  const disableFile = file === undefined || statSync(file).size === 0;
  const { connectionOptions } = loadClientConnectConfig({ overrideEnvVars: asEnv, disableFile });
  return {
    // The address config settled on (env, profile or default) wins: `npm run dev` points it at its own server.
    address: config.TEMPORAL_ADDRESS,
    tls: asBuffers(connectionOptions.tls ?? undefined),
    apiKey: typeof connectionOptions.apiKey === 'string' ? connectionOptions.apiKey : undefined,
  };
}

/** envconfig hands certificates over as Uint8Array; grpc-js (the API's client) insists on Buffers. */
function asBuffers(tls: TLSConfig | boolean | undefined | null): TLSConfig | boolean | undefined {
  if (typeof tls !== 'object' || tls === null) return tls ?? undefined;
  const buffer = (data: Uint8Array | undefined): Buffer | undefined => (data ? Buffer.from(data) : undefined);
  return {
    ...tls,
    serverRootCACertificate: buffer(tls.serverRootCACertificate),
    clientCertPair: tls.clientCertPair && {
      crt: Buffer.from(tls.clientCertPair.crt),
      key: Buffer.from(tls.clientCertPair.key),
    },
  };
}
