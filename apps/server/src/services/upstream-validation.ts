import { type AddressPolicy, addressAllowed, badRequest, classifyHost } from '@depot/core';

/** The upstream fields of a create or update body, as far as these rules look at them. */
export interface UpstreamFields {
  readonly upstream_url?: string | undefined;
  readonly upstream_auth?: { readonly username: string; readonly password?: string | undefined } | null | undefined;
}

/**
 * Moves credentials written into `upstream_url` (`http://user:pass@host/`) into `upstream_auth`
 * so the URL, which every reader of the repository sees, carries no secret; both at once is a
 * `BAD_REQUEST`. Returns the fields unchanged when the URL has no userinfo.
 */
export function moveUrlCredentials<T extends UpstreamFields>(fields: T): T {
  if (fields.upstream_url === undefined) return fields;
  const url = new URL(fields.upstream_url);
  if (url.username === '' && url.password === '') return fields;
  if (fields.upstream_auth !== undefined && fields.upstream_auth !== null) {
    throw badRequest(
      'upstream_url: carries credentials and upstream_auth is given too; send them in upstream_auth only',
      {
        field: 'upstream_url',
      },
    );
  }
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  if (username === '') throw badRequest('upstream_url: credentials need a user name', { field: 'upstream_url' });
  url.username = '';
  url.password = '';
  return {
    ...fields,
    upstream_url: url.toString(),
    upstream_auth: password === '' ? { username } : { username, password },
  };
}

/**
 * Refuses an `upstream_url` whose host is a loopback, private, unspecified or link-local address
 * in any spelling the URL parser accepts (`127.1`, `0x7f000001`, `[::ffff:127.0.0.1]`, …) or
 * `localhost`, unless `policy` allows that class (`allow_private_upstreams`,
 * `allow_link_local_upstreams`). Names resolving to such addresses are refused when connecting.
 */
export function checkUpstreamAddress(upstreamUrl: string | undefined, policy: AddressPolicy): void {
  if (upstreamUrl === undefined) return;
  const { hostname } = new URL(upstreamUrl);
  const cls = classifyHost(hostname);
  if (addressAllowed(cls, policy)) return;
  const setting = cls === 'link-local' ? 'allow_link_local_upstreams' : 'allow_private_upstreams';
  throw badRequest(`upstream_url: ${hostname} is a ${cls} address; an administrator must turn on ${setting}`, {
    field: 'upstream_url',
    address_class: cls,
  });
}
