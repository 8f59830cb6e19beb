import type { Client } from 'ldapts';
import type { LdapConfig } from './auth-module.js';

/** What an LDAP login attempt found. */
export type LdapOutcome =
  | { readonly kind: 'ok'; readonly dn: string; readonly groups: readonly string[] }
  | { readonly kind: 'bad-password' }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'unavailable'; readonly error: unknown };

/** Connect and operation timeout for every LDAP call (RELIABILITY.md §3.7 A1). */
const LDAP_TIMEOUT_MS = 5000;

/** Escapes a value for an LDAP search filter (RFC 4515 §3): `*`, `(`, `)`, `\` and NUL. */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '*' || ch === '(' || ch === ')' || ch === '\\' || code === 0)
      out += `\\${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/** Substitutes `{name}` placeholders with filter-escaped values. */
function fillFilter(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const v = values[key];
    return v === undefined ? whole : escapeFilterValue(v);
  });
}

function attrStrings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}

/** ldapts, loaded on the first LDAP login: most servers never configure LDAP (idle RSS). */
type Ldapts = typeof import('ldapts');
let ldapts: Promise<Ldapts> | undefined;
const loadLdapts = (): Promise<Ldapts> => {
  ldapts ??= import('ldapts');
  return ldapts;
};

async function openClient({ Client }: Ldapts, config: LdapConfig): Promise<Client> {
  const tlsOptions = { rejectUnauthorized: config.tls_skip_verify !== true };
  const client = new Client({
    url: config.url,
    timeout: LDAP_TIMEOUT_MS,
    connectTimeout: LDAP_TIMEOUT_MS,
    ...(config.url.startsWith('ldaps:') ? { tlsOptions } : {}),
  });
  if (config.starttls === true) await client.startTLS(tlsOptions);
  return client;
}

/**
 * Service bind → find the user's DN with `user_filter` → bind as that DN with `password` →
 * service re-bind → groups with `group_filter` → their `group_name_attr` values. The caller must
 * never pass an empty password: many servers treat an empty simple bind as an anonymous success
 * (RELIABILITY.md §3.7 A2); this function refuses it too.
 */
export async function ldapLogin(config: LdapConfig, username: string, password: string): Promise<LdapOutcome> {
  if (password === '' || username === '') return { kind: 'bad-password' };
  let client: Client | null = null;
  try {
    const lib = await loadLdapts();
    client = await openClient(lib, config);
    await client.bind(config.bind_dn, config.bind_password);
    const filter = fillFilter(config.user_filter ?? '(uid={username})', { username });
    const { searchEntries } = await client.search(config.user_base_dn, {
      scope: 'sub',
      filter,
      attributes: ['dn'],
      sizeLimit: 2,
    });
    const entry = searchEntries[0];
    if (entry === undefined || searchEntries.length > 1) return { kind: 'not-found' };
    try {
      await client.bind(entry.dn, password);
    } catch (err) {
      if (err instanceof lib.InvalidCredentialsError) return { kind: 'bad-password' };
      throw err;
    }
    await client.bind(config.bind_dn, config.bind_password);
    const nameAttr = config.group_name_attr ?? 'cn';
    const groupFilter = fillFilter(config.group_filter ?? '(member={dn})', { dn: entry.dn, username });
    const groups = await client.search(config.group_base_dn, {
      scope: 'sub',
      filter: groupFilter,
      attributes: [nameAttr],
    });
    const names = groups.searchEntries.flatMap((g) => attrStrings(g[nameAttr]));
    return { kind: 'ok', dn: entry.dn, groups: names };
  } catch (error) {
    return { kind: 'unavailable', error };
  } finally {
    await client?.unbind().catch(() => {});
  }
}

/** Maps LDAP group names to Depot role names through `group_role_mapping` (unmapped groups grant nothing). */
export function mapGroups(config: LdapConfig, groups: readonly string[]): string[] {
  const mapping = config.group_role_mapping ?? {};
  const roles = new Set<string>();
  for (const g of groups) {
    const role = mapping[g];
    if (role !== undefined) roles.add(role);
  }
  return [...roles].sort();
}
