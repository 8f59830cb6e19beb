import { type LookupAddress, lookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import {
  type AddressPolicy,
  addressAllowed,
  classifyAddress,
  classifyHost,
  DepotError,
  type Logger,
  type UpstreamFetch,
} from '@depot/core';
import { Agent, fetch as undiciFetch } from 'undici';

/** How long an upstream may take to answer with headers (the body then streams unbounded). */
const UPSTREAM_HEADERS_TIMEOUT_MS = 30_000;

/** Resolves a name to all its addresses (`dns.lookup` with `all: true`; tests pass a fake). */
export type Resolve = (
  hostname: string,
  options: { family: number; all: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** The error a refused address fails with; names the class and the setting that allows it. */
function refusedAddress(host: string, cls: string): DepotError {
  const setting = cls === 'link-local' ? 'allow_link_local_upstreams' : 'allow_private_upstreams';
  return new DepotError('UPSTREAM_ERROR', `upstream host ${host} is a ${cls} address (${setting} is off)`, {
    details: { host, address_class: cls },
  });
}

/**
 * A DNS lookup for upstream connections that refuses a name when any of its addresses is of a
 * class `policy` does not allow, so a public-looking name cannot point at loopback, the LAN or a
 * metadata service. The addresses checked are the ones connected to (no second resolution).
 */
export function guardedLookup(policy: () => AddressPolicy, logger: Logger, resolve: Resolve): LookupFunction {
  const guarded = (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    resolve(hostname, { family: options.family ?? 0, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      for (const { address } of addresses) {
        const cls = classifyAddress(address) ?? 'public';
        if (!addressAllowed(cls, policy())) {
          logger.warn({ host: hostname, address_class: cls }, 'refusing upstream connection');
          return callback(Object.assign(refusedAddress(hostname, cls), { errno: 0, syscall: 'lookup' }), []);
        }
      }
      const [first] = addresses;
      if (options.all === true || first === undefined) return callback(null, addresses);
      callback(null, first.address, first.family);
    });
  };
  return guarded as LookupFunction;
}

/**
 * The `fetch` of cache repositories' upstreams: a timeout on the response headers, and the
 * address rules of `policy` (the `allow_*_upstreams` settings) checked on every request, for IP
 * literals before sending and for names on the addresses they resolve to when connecting.
 * Redirects are not followed here: the engine's guard follows them one hop at a time, and each
 * hop comes through this function again.
 */
export function createUpstreamFetch(
  policy: () => AddressPolicy,
  logger: Logger,
  resolve: Resolve = (hostname, options, callback) => lookup(hostname, options, callback),
): UpstreamFetch {
  const agent = new Agent({ connect: { lookup: guardedLookup(policy, logger, resolve) } });
  return async (url, init) => {
    const { hostname } = new URL(url);
    const cls = classifyHost(hostname);
    if (!addressAllowed(cls, policy())) {
      logger.warn({ host: hostname, address_class: cls }, 'refusing upstream connection');
      throw refusedAddress(hostname, cls);
    }
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new Error('upstream did not answer in time')),
      UPSTREAM_HEADERS_TIMEOUT_MS,
    );
    const signal = init.signal ? AbortSignal.any([init.signal, timeout.signal]) : timeout.signal;
    try {
      const options = { ...init, signal, dispatcher: agent } as unknown as Parameters<typeof undiciFetch>[1];
      return (await undiciFetch(url, options)) as unknown as Response;
    } finally {
      clearTimeout(timer);
    }
  };
}
