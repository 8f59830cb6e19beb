import type { FormatHarness, HarnessResponse } from '@depot/testkit';
import { type Dist, twineFields, uploadForm } from './fixtures.js';

/** Uploads `dist` the way twine does, with `fields` overriding the usual ones. */
export function upload(
  h: FormatHarness,
  repo: string,
  dist: Dist,
  name: string,
  version: string,
  fields: Readonly<Record<string, string | undefined>> = {},
): Promise<HarnessResponse> {
  const all: Record<string, string> = { ...twineFields(dist, name, version) };
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) delete all[key];
    else all[key] = value;
  }
  const form = uploadForm(dist, all);
  return h.request({ method: 'POST', repo, path: '', headers: { 'content-type': form.contentType }, body: form.body });
}

/** The PEP 691 JSON page of `project`, as pip would ask for it. */
export interface JsonPage {
  name: string;
  versions: string[];
  meta: { 'api-version': string };
  files: {
    filename: string;
    url: string;
    hashes: Record<string, string>;
    yanked: boolean | string;
    'requires-python'?: string;
    'core-metadata': false | { sha256: string };
    size?: number;
  }[];
}

/** GETs the JSON simple page of `project`. */
export async function jsonPage(h: FormatHarness, repo: string, project: string): Promise<HarnessResponse> {
  return h.request({
    method: 'GET',
    repo,
    path: `simple/${project}/`,
    headers: { accept: 'application/vnd.pypi.simple.v1+json' },
  });
}

/** The repository path a page-relative file URL names. */
export function pathFromPageUrl(url: string): string {
  if (!url.startsWith('../../')) throw new Error(`unexpected file url ${url}`);
  return url.slice(6);
}

/** Downloads `filename` as pip does: the JSON page, then the linked file. */
export async function downloadFile(
  h: FormatHarness,
  repo: string,
  project: string,
  filename: string,
): Promise<HarnessResponse> {
  const page = await jsonPage(h, repo, project);
  if (page.status !== 200) return page;
  const file = page.json<JsonPage>().files.find((f) => f.filename.toLowerCase() === filename.toLowerCase());
  if (file === undefined) throw new Error(`${filename} is not on the page of ${project}`);
  return h.request({ method: 'GET', repo, path: pathFromPageUrl(file.url) });
}
