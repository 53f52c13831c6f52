import { BlockList, isIP } from 'node:net';

/**
 * Address ranges an outbound fetch of a URL we did not choose (an attachment link in a webhook) must
 * never reach: loopback, link-local (cloud metadata at 169.254.169.254), private, unique-local,
 * carrier-grade NAT, multicast, unspecified, reserved and documentation ranges.
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215): translates to whatever the operator chose, private included
  ['2001::', 32], // Teredo: tunnels to an IPv4 address (obfuscated in the low bits)
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (with `::` expanded and a dotted IPv4 tail converted). */
function groupsOf(v6: string): number[] | null {
  let text = v6.toLowerCase();
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const all = [...h, ...Array(fill).fill('0'), ...t];
  if (all.length !== 8) return null;
  return all.map((g) => parseInt(g, 16));
}

const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * IPv4 carried inside an IPv6 address, in every form a resolver or a router turns back into IPv4:
 * IPv4-compatible ::a.b.c.d (also written ::7f00:1), mapped ::ffff:a.b.c.d, translated
 * ::ffff:0:a.b.c.d (SIIT), NAT64 64:ff9b::/96 and 6to4 2002:AABB:CCDD::/48.
 */
function embeddedIpv4(v6: string): string | null {
  const g = groupsOf(v6);
  if (!g) return null;
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 6) && !(g[6] === 0 && g[7]! <= 1)) return v4(g[6]!, g[7]!); // ::a.b.c.d (not :: or ::1, listed above)
  if (zero(0, 5) && g[5] === 0xffff) return v4(g[6]!, g[7]!);
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return v4(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!);
  return null;
}

/** Why `address` may not be fetched, or null when it is a public unicast address. Non-IP text is refused. */
export function blockedAddressReason(address: string): string | null {
  const a = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(a);
  if (family === 0) return `${address} is not an IP address`;
  if (family === 4)
    return blocked.check(a, 'ipv4')
      ? `${a} is a loopback, link-local, private, multicast or reserved IPv4 address`
      : null;
  if (blocked.check(a, 'ipv6'))
    return `${a} is a loopback, link-local, unique-local, multicast, unspecified or tunnelling IPv6 address`;
  const inner = embeddedIpv4(a);
  if (inner) return blockedAddressReason(inner) ? `${a} embeds the non-public IPv4 address ${inner}` : null;
  return null;
}

/** True when `host` is listed in `allowed` (exact, case-insensitive, or `*.example.com` for any subdomain). */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return allowed.some((entry) => {
    const e = entry.toLowerCase();
    return e.startsWith('*.') ? h.endsWith(e.slice(1)) && h.length > e.length - 1 : h === e;
  });
}
