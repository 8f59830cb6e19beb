import { assertKnownOptions, badRequest, booleanOption, type RepositoryRecord, stringOption } from '@depot/core';

/** Per-repository options of Go repositories (`format_options`). */
export interface GoRepoOptions {
  /** Hosted: a version may be uploaded again, replacing the stored one. Default false (409). */
  readonly allow_redeploy: boolean;
  /** Cache: the checksum database `/sumdb/{sumdb_name}/…` is passed through to (none: 404, go asks it directly). */
  readonly sumdb_url: string | undefined;
  /** The checksum database's name (default `sum.golang.org`). */
  readonly sumdb_name: string;
}

const KEYS = ['allow_redeploy', 'sumdb_url', 'sumdb_name'] as const;

/** Validates `format_options` of a Go repository; `BAD_REQUEST` naming the key otherwise. */
export function validateGoRepoOptions(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  assertKnownOptions(options, KEYS, 'golang');
  const out: Record<string, unknown> = {};
  const redeploy = booleanOption(options, 'allow_redeploy', 'golang');
  if (redeploy !== undefined) out.allow_redeploy = redeploy;
  const url = stringOption(options, 'sumdb_url', 'golang');
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest('golang: option "sumdb_url" must be an http(s) URL', { option: 'sumdb_url' });
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw badRequest('golang: option "sumdb_url" must be an http(s) URL', { option: 'sumdb_url' });
    }
    out.sumdb_url = url;
  }
  const name = stringOption(options, 'sumdb_name', 'golang');
  if (name !== undefined) {
    if (!/^[a-z0-9.-]+(\/[A-Za-z0-9._~-]+)*$/.test(name)) {
      throw badRequest('golang: option "sumdb_name" must be a checksum database name', { option: 'sumdb_name' });
    }
    out.sumdb_name = name;
  }
  return out;
}

/** The options of `repo`, defaults filled in. */
export function goRepoOptions(repo: Pick<RepositoryRecord, 'format_options'>): GoRepoOptions {
  const opts = repo.format_options ?? {};
  return {
    allow_redeploy: opts.allow_redeploy === true,
    sumdb_url: typeof opts.sumdb_url === 'string' ? opts.sumdb_url : undefined,
    sumdb_name: typeof opts.sumdb_name === 'string' ? opts.sumdb_name : 'sum.golang.org',
  };
}
