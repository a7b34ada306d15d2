import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import type { Config } from '../config';

// Where a callback may go. Checked twice: when a start asks for it (a 400 naming the field) and again at every
// delivery attempt, on the DNS answer the connection then uses (a name that moved into a private range is refused).

/** What decides whether a callback URL is acceptable; built once from the config. */
export interface DestinationPolicy {
  readonly allowed: readonly string[];
  readonly allowedNetworks: BlockList;
  readonly allowHttp: boolean;
}

export type DestinationConfig = Pick<
  Config,
  'NODE_ENV' | 'CALLBACK_ALLOWED_URLS' | 'CALLBACK_ALLOWED_NETWORKS' | 'CALLBACK_ALLOW_HTTP'
>;

/** Why a destination was refused; the message is safe to show to the caller who named it. */
export class DestinationRefused extends Error {
  override readonly name = 'DestinationRefused';
}

/** Loopback, private, link-local (cloud metadata), shared, multicast and reserved ranges: never, unless allowed. */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const)
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');

function networksOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network = '', prefix = ''] = cidr.split('/');
    list.addSubnet(network, Number(prefix), isIP(network) === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

export function destinationPolicyOf(config: DestinationConfig): DestinationPolicy {
  return {
    allowed: config.CALLBACK_ALLOWED_URLS,
    allowedNetworks: networksOf(config.CALLBACK_ALLOWED_NETWORKS),
    allowHttp: config.NODE_ENV !== 'production' || config.CALLBACK_ALLOW_HTTP,
  };
}

/** An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is checked as the IPv4 address it is. */
function normalised(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** Refuses an address in a non-public range that CALLBACK_ALLOWED_NETWORKS does not open. */
export function checkAddress(address: string, policy: DestinationPolicy): void {
  const ip = normalised(address);
  if (NON_PUBLIC.check(ip.address, ip.family) && !policy.allowedNetworks.check(ip.address, ip.family))
    throw new DestinationRefused(
      `${address} is a loopback, private, link-local or reserved address (CALLBACK_ALLOWED_NETWORKS does not allow it)`,
    );
}

function matchesRule(url: URL, rule: string): boolean {
  if (rule.includes('://')) {
    const prefix = new URL(rule);
    if (prefix.origin !== url.origin) return false;
    return url.pathname.startsWith(prefix.pathname);
  }
  const host = url.hostname.toLowerCase();
  const pattern = rule.toLowerCase();
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return host === pattern;
}

const bareHost = (hostname: string): string => hostname.replace(/^\[(.*)\]$/, '$1');

/** The static checks: a URL, http(s), no credentials, on the allow-list, not a literal non-public address. */
export function checkUrl(raw: string, policy: DestinationPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DestinationRefused('not an absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp))
    throw new DestinationRefused(policy.allowHttp ? 'use http or https' : 'use https (CALLBACK_ALLOW_HTTP is off)');
  if (url.username !== '' || url.password !== '') throw new DestinationRefused('credentials in the URL are refused');
  if (!policy.allowed.some((rule) => matchesRule(url, rule)))
    throw new DestinationRefused(
      policy.allowed.length === 0
        ? 'callbacks are not enabled on this server (CALLBACK_ALLOWED_URLS is empty)'
        : 'not on the allow-list (CALLBACK_ALLOWED_URLS)',
    );
  const host = bareHost(url.hostname);
  if (isIP(host) !== 0) checkAddress(host, policy);
  return url;
}

/** Resolves a host name and refuses the answer if any address is non-public: the connection uses only these. */
export async function resolveChecked(hostname: string, policy: DestinationPolicy): Promise<LookupAddress[]> {
  const host = bareHost(hostname);
  if (isIP(host) !== 0) {
    checkAddress(host, policy);
    return [{ address: host, family: isIP(host) }];
  }
  return await new Promise((resolve, reject) => {
    dnsLookup(host, { all: true }, (error, addresses) => {
      if (error) return reject(error);
      try {
        for (const { address } of addresses) checkAddress(address, policy);
        resolve(addresses);
      } catch (refused) {
        reject(refused as Error);
      }
    });
  });
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request: the socket connects to an address this check let through, never to a second,
 * unchecked DNS answer (DNS rebinding).
 */
export function checkedLookup(policy: DestinationPolicy) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolveChecked(hostname, policy).then(
      (addresses) => {
        const [first] = addresses;
        if (options.all) callback(null, addresses);
        else if (first) callback(null, first.address, first.family);
        else callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}
