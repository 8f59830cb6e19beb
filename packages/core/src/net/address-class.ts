import { BlockList, isIP } from 'node:net';

/**
 * What an upstream address is, for the rules on where cache repositories may connect:
 * `link-local` covers cloud metadata endpoints (169.254.169.254, fd00:ec2::254) and is refused
 * even where private upstreams are allowed, unless separately opted in.
 */
export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'unspecified';

const rules: ReadonlyArray<readonly [AddressClass, BlockList]> = (() => {
  const list = (entries: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']>): BlockList => {
    const b = new BlockList();
    for (const [net, prefix, family] of entries) b.addSubnet(net, prefix, family);
    return b;
  };
  return [
    [
      'unspecified',
      list([
        ['0.0.0.0', 8, 'ipv4'],
        ['::', 128, 'ipv6'],
      ]),
    ],
    [
      'loopback',
      list([
        ['127.0.0.0', 8, 'ipv4'],
        ['::1', 128, 'ipv6'],
      ]),
    ],
    [
      // fd00::/8 is inside fc00::/7 but listed here: cloud metadata lives there (fd00:ec2::254).
      'link-local',
      list([
        ['169.254.0.0', 16, 'ipv4'],
        ['fe80::', 10, 'ipv6'],
        ['fd00::', 8, 'ipv6'],
      ]),
    ],
    [
      'private',
      list([
        ['10.0.0.0', 8, 'ipv4'],
        ['172.16.0.0', 12, 'ipv4'],
        ['192.168.0.0', 16, 'ipv4'],
        ['100.64.0.0', 10, 'ipv4'],
        ['fc00::', 7, 'ipv6'],
      ]),
    ],
  ];
})();

/** The embedded IPv4 address of an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, any spelling), else null. */
function mappedIpv4(address: string): string | null {
  // The URL parser writes every IPv6 spelling in one canonical form: `[::ffff:7f00:1]`.
  const canonical = new URL(`http://[${address}]/`).hostname;
  const hex = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(canonical);
  if (hex === null) return null;
  const hi = Number.parseInt(hex[1] as string, 16);
  const lo = Number.parseInt(hex[2] as string, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/**
 * Classifies an IP address (v4 or v6, without brackets); IPv4-mapped IPv6 addresses are
 * classified by their IPv4 part. Returns `null` for a string that is not an IP address.
 */
export function classifyAddress(input: string): AddressClass | null {
  const address = input.replace(/%.*$/, ''); // an IPv6 zone id (`fe80::1%eth0`) does not change the class
  const family = isIP(address);
  if (family === 0) return null;
  if (family === 6) {
    const v4 = mappedIpv4(address);
    if (v4 !== null) return classifyAddress(v4);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [cls, list] of rules) if (list.check(address, type)) return cls;
  return 'public';
}

/**
 * Classifies the host of a parsed URL (`url.hostname`, which WHATWG parsing has already
 * normalised: `0x7f000001`, `2130706433`, `127.1` and `0177.0.0.1` all become `127.0.0.1`).
 * `localhost` and `*.localhost` are loopback by definition; any other name is `name` (its
 * addresses are only known when it is resolved).
 */
export function classifyHost(hostname: string): AddressClass | 'name' {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const lower = bare.toLowerCase().replace(/\.$/, '');
  if (lower === 'localhost' || lower.endsWith('.localhost')) return 'loopback';
  return classifyAddress(lower) ?? 'name';
}

/** Which non-public addresses an upstream may have. */
export interface AddressPolicy {
  /** Loopback, private (RFC 1918, fc00::/7) and unspecified addresses. */
  readonly allowPrivate: boolean;
  /** Link-local and metadata addresses (169.254.0.0/16, fe80::/10, fd00::/8). */
  readonly allowLinkLocal: boolean;
}

/** True when `cls` may be connected to under `policy`. */
export function addressAllowed(cls: AddressClass | 'name', policy: AddressPolicy): boolean {
  if (cls === 'public' || cls === 'name') return true;
  if (cls === 'link-local') return policy.allowLinkLocal;
  return policy.allowPrivate;
}
