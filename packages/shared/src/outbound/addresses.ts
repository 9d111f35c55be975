import { BlockList, isIP } from 'node:net';

/**
 * Addresses no user-given URL may reach: loopback, private (RFC 1918, CGNAT), link-local (cloud
 * metadata lives there), unique-local, unspecified, multicast, reserved and documentation ranges,
 * and the IPv6 forms that carry an IPv4 address inside (IPv4-mapped, NAT64, 6to4, Teredo).
 */
// Two lists: Node matches IPv4 addresses against IPv6 rules too (`::ffff:0:0/96` would catch
// every IPv4 address), so each family is checked against its own.
const refused4 = new BlockList();
const refused6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  refused4.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['::', 96], // IPv4-compatible (deprecated)
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  refused6.addSubnet(network, prefix, 'ipv6');
}

/** Whether `address` (an IP literal, v4 or v6) is one no user-given URL may reach. */
export function isRefusedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true; // not an address at all: never connect to it
  return family === 4 ? refused4.check(address, 'ipv4') : refused6.check(address, 'ipv6');
}

/** `[::1]` → `::1`: the address inside a URL's hostname, or undefined for a name. */
export function addressOfHostname(hostname: string): string | undefined {
  const bare =
    hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) ? bare : undefined;
}
