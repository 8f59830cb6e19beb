import { createHash } from 'node:crypto';
import type { FormatHarness } from '@depot/testkit';
import { parse } from 'yaml';
import type { HarnessResponse } from './helpers.js';

/** `index.yaml` as the tests read it. */
export interface IndexJson {
  apiVersion: string;
  entries: Record<string, { name: string; version: string; urls: string[]; digest?: string; [k: string]: unknown }[]>;
}

/** Fetches and parses a repository's `index.yaml` through the harness. */
export async function fetchIndex(h: FormatHarness, repo: string): Promise<IndexJson> {
  const res = await h.request({ method: 'GET', repo, path: 'index.yaml' });
  if (res.status !== 200) throw new Error(`index.yaml answered ${res.status}: ${res.text()}`);
  return parse(res.text()) as IndexJson;
}

/**
 * Downloads a chart the way helm does: read `index.yaml`, take the version's first URL, resolve it
 * against the index URL, download it and check the digest. Returns the chart response (or the first
 * failing one).
 */
export async function helmPull(
  h: FormatHarness,
  repo: string,
  name: string,
  version: string,
): Promise<HarnessResponse> {
  const res = await h.request({ method: 'GET', repo, path: 'index.yaml' });
  if (res.status !== 200) return res;
  const index = parse(res.text()) as IndexJson;
  const entry = index.entries[name]?.find((e) => e.version === version);
  // Not listed: helm stops with "chart not found"; the direct path answers Depot's 404.
  if (entry === undefined) return h.request({ method: 'GET', repo, path: `${name}-${version}.tgz` });
  const base = `http://depot.test/repository/${repo}/`;
  const url = new URL(entry.urls[0] ?? '', new URL('index.yaml', base));
  if (!url.href.startsWith(base)) throw new Error(`chart URL ${url.href} is outside ${base}`);
  const chart = await h.request({ method: 'GET', repo, path: url.href.slice(base.length) });
  if (chart.status === 200 && entry.digest !== undefined) {
    const digest = createHash('sha256').update(chart.body).digest('hex');
    if (digest !== entry.digest) throw new Error(`digest mismatch for ${name} ${version}`);
  }
  return chart;
}
