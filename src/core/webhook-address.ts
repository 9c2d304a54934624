/**
 * Where webhooks may go. A webhook URL is chosen by whoever writes the config, but the POSTs leave
 * from inside the operator's network: loopback, private, link-local (cloud metadata) and other
 * non-public addresses are refused unless the tenant sets `allowPrivateNetworks: true`. Checked
 * twice: at config load on the URL as written, and at connect time on every address the name
 * resolves to (the connection then goes to the address that was checked, so DNS cannot swap it).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

/** True for an IP literal that is not a public unicast address (IPv4-mapped IPv6 judged as its IPv4). */
export function isPrivateAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return isPrivateAddress(mapped[1]);
  const v = isIP(ip);
  if (v === 4) return blocked.check(ip, 'ipv4');
  if (v === 6) return blocked.check(ip, 'ipv6');
  return false;
}

/**
 * The config-time check of a webhook URL; null when acceptable. https only; plain http only to a
 * private address with allowPrivateNetworks (a receiver on the same host or network, as in tests).
 */
export function webhookUrlProblem(raw: string, allowPrivateNetworks: boolean): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (u.username || u.password) return 'must not carry credentials; the signature authenticates pushgate';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const local = host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host);
  if (local && !allowPrivateNetworks) return `${host} is a loopback or private address; set allowPrivateNetworks: true on the tenant to allow it`;
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:' && local && allowPrivateNetworks) return null;
  return 'must be https (plain http only to a private address, with allowPrivateNetworks: true)';
}

/** A `lookup` for http(s) agents that refuses names resolving to a non-public address (unless allowed). */
export function guardedLookup(allowPrivateNetworks: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const list = Array.isArray(addresses) ? addresses : [];
      const bad = list.find((a) => isPrivateAddress(a.address));
      if (!allowPrivateNetworks && bad) {
        const e = Object.assign(new Error(`webhook host ${hostname} resolves to ${bad.address}, a private address; set allowPrivateNetworks: true to allow it`), { code: 'EPRIVATEADDRESS' });
        return callback(e, '', 0);
      }
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, first.address, first.family);
    });
  };
}
