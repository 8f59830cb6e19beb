import { assertKnownOptions, booleanOption, type RepositoryRecord } from '@depot/core';

/** Per-repository options of Helm repositories (`format_options`). */
export interface HelmRepoOptions {
  /** Hosted: a chart version may be uploaded again, replacing the stored one. Default false (409). */
  readonly allow_redeploy: boolean;
  /**
   * `index.yaml` lists absolute chart URLs (`{base}/repository/{repo}/{file}`) instead of URLs
   * relative to the index. Default false: Helm resolves relative URLs against the index URL.
   */
  readonly absolute_urls: boolean;
}

const KEYS = ['allow_redeploy', 'absolute_urls'] as const;

/** Validates `format_options` of a Helm repository; `BAD_REQUEST` naming the key otherwise. */
export function validateHelmRepoOptions(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  assertKnownOptions(options, KEYS, 'helm');
  const out: Record<string, unknown> = {};
  for (const key of KEYS) {
    const value = booleanOption(options, key, 'helm');
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** The options of `repo`, defaults filled in. */
export function helmRepoOptions(repo: Pick<RepositoryRecord, 'format_options'>): HelmRepoOptions {
  const opts = repo.format_options ?? {};
  return { allow_redeploy: opts.allow_redeploy === true, absolute_urls: opts.absolute_urls === true };
}
