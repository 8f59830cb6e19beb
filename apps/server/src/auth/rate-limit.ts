import { isIP } from 'node:net';
import { DepotError } from '@depot/core';

/** `rate_limit` from the runtime settings. */
export interface RateLimitSettings {
  readonly requests_per_second: number;
  readonly burst_size: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const MAX_BUCKETS = 100_000;

/** Strips the IPv4-mapped IPv6 prefix so `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
export const normalizeIp = (ip: string): string => {
  const trimmed = ip.trim();
  return trimmed.toLowerCase().startsWith('::ffff:') && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
};

function ipv4ToInt(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return null;
    n = n * 256 + v;
  }
  return n;
}

/** Whether `ip` is one of `proxies` (exact addresses, or IPv4 CIDR ranges like `10.0.0.0/8`). */
export function isTrustedProxy(ip: string, proxies: readonly string[]): boolean {
  const addr = normalizeIp(ip);
  for (const entry of proxies) {
    const [base, bits] = entry.split('/');
    if (bits === undefined) {
      if (normalizeIp(entry) === addr) return true;
      continue;
    }
    const a = ipv4ToInt(addr);
    const b = ipv4ToInt(base ?? '');
    const n = Number(bits);
    if (a === null || b === null || !Number.isInteger(n) || n < 0 || n > 32) continue;
    const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
    if ((a & mask) >>> 0 === (b & mask) >>> 0) return true;
  }
  return false;
}

/**
 * The client a request is counted against: the peer address, unless the peer is a trusted proxy;
 * then the right-most `X-Forwarded-For` hop that is not itself a trusted proxy. A client cannot
 * pick its own key by sending `X-Forwarded-For` directly.
 */
export function clientKey(peerIp: string, headers: Headers, trustedProxies: readonly string[]): string {
  const peer = normalizeIp(peerIp);
  if (trustedProxies.length === 0 || !isTrustedProxy(peer, trustedProxies)) return peer;
  const hops = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((h) => normalizeIp(h))
    .filter((h) => isIP(h) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!isTrustedProxy(hop, trustedProxies)) return hop;
  }
  return hops[0] ?? peer;
}

/** A token bucket per client key: `burst_size` tokens, refilled at `requests_per_second`. */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number) {}

  /** Takes one token for `key`; throws RATE_LIMITED when the bucket is empty. */
  take(key: string, limits: RateLimitSettings): void {
    const now = this.now();
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= MAX_BUCKETS) this.#sweep(limits, now);
      bucket = { tokens: limits.burst_size, updatedAt: now };
      this.#buckets.set(key, bucket);
    } else {
      const refill = ((now - bucket.updatedAt) / 1000) * limits.requests_per_second;
      bucket.tokens = Math.min(limits.burst_size, bucket.tokens + refill);
      bucket.updatedAt = now;
    }
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / limits.requests_per_second));
      throw new DepotError('RATE_LIMITED', 'too many requests', { details: { retry_after_secs: retryAfter } });
    }
    bucket.tokens -= 1;
  }

  /** Drops buckets that have refilled completely (they hold no state worth keeping). */
  #sweep(limits: RateLimitSettings, now: number): void {
    const full = (limits.burst_size / limits.requests_per_second) * 1000;
    for (const [key, b] of this.#buckets) if (now - b.updatedAt >= full) this.#buckets.delete(key);
    if (this.#buckets.size >= MAX_BUCKETS) this.#buckets.clear();
  }
}
