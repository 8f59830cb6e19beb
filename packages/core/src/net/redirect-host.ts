/**
 * Checks one `upstream_redirect_hosts` entry: a host name or IP literal with an optional port, or
 * `*.` followed by a domain; no scheme, path or credentials. Returns it lower-cased, `null` when
 * it is none of these.
 */
export function parseRedirectHost(entry: string): string | null {
  const wildcard = entry.startsWith('*.');
  const rest = wildcard ? entry.slice(2) : entry;
  if (rest === '' || /[/?#@\s\\]/.test(rest)) return null;
  let url: URL;
  try {
    url = new URL(`http://${rest}`);
  } catch {
    return null;
  }
  const given = rest.toLowerCase();
  // The parser keeps host[:port] as written for a valid name; anything it rewrote was not one.
  if (url.host !== given && `${url.hostname}:80` !== given) return null;
  if (wildcard && (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(url.hostname) || url.port !== '')) return null;
  return entry.toLowerCase();
}
