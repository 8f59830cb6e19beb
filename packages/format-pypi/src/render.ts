import { createHash } from 'node:crypto';
import { type FormatResponse, ifNoneMatchHits } from '@depot/core';
import { normalizeName, parseFileName } from './names.js';
import { compareVersions } from './pep440.js';
import type { PageFile, ProjectPage } from './types.js';

/** PEP 691 JSON media type. */
export const JSON_V1 = 'application/vnd.pypi.simple.v1+json';
const HTML_V1 = 'application/vnd.pypi.simple.v1+html';
/** The API version served (PEP 629 / 700). */
export const API_VERSION = '1.1';

/** Which form of the simple API a request gets. */
export type SimpleForm = 'json' | 'html';

const CANDIDATES: readonly { type: string; form: SimpleForm; served: string }[] = [
  { type: JSON_V1, form: 'json', served: JSON_V1 },
  { type: 'application/vnd.pypi.simple.latest+json', form: 'json', served: JSON_V1 },
  { type: HTML_V1, form: 'html', served: HTML_V1 },
  { type: 'application/vnd.pypi.simple.latest+html', form: 'html', served: HTML_V1 },
  { type: 'text/html', form: 'html', served: 'text/html' },
];

/** The form a request gets and the content type it is served as. */
export interface Negotiated {
  readonly form: SimpleForm;
  readonly contentType: string;
}

const HTML: Negotiated = { form: 'html', contentType: 'text/html' };
// Clients send a handful of distinct Accept headers: each is parsed once.
const negotiated = new Map<string, Negotiated>();

/**
 * PEP 691 content negotiation on `Accept` (q-values honoured; on a tie the first listed wins). No
 * header, `*\/*`, or nothing acceptable gets HTML.
 */
export function negotiate(accept: string | undefined): Negotiated {
  if (accept === undefined || accept.trim() === '') return HTML;
  const known = negotiated.get(accept);
  if (known !== undefined) return known;
  const result = negotiateUncached(accept);
  if (negotiated.size >= 256) negotiated.clear();
  negotiated.set(accept, result);
  return result;
}

function negotiateUncached(accept: string): Negotiated {
  let best: { form: SimpleForm; contentType: string; q: number } | undefined;
  for (const part of accept.split(',')) {
    const [rawType = '', ...params] = part.split(';');
    const type = rawType.trim().toLowerCase();
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0) continue;
    const match =
      type === '*/*' || type === 'text/*' || type === 'application/*'
        ? CANDIDATES.find((c) => (type === '*/*' ? c.type === 'text/html' : c.type.startsWith(type.slice(0, -1))))
        : CANDIDATES.find((c) => c.type === type);
    if (match !== undefined && (best === undefined || q > best.q))
      best = { form: match.form, contentType: match.served, q };
  }
  // PEP 691 lets a server answer a default instead of 406: HTML, which every client reads.
  return best === undefined ? HTML : { form: best.form, contentType: best.contentType };
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function hrefOf(file: PageFile): string {
  const sha256 = file.hashes.sha256;
  return sha256 === undefined ? file.url : `${file.url}#sha256=${sha256}`;
}

function metadataAttr(file: PageFile): string | undefined {
  if (file.core_metadata === false) return undefined;
  if (file.core_metadata === true) return 'true';
  const sha256 = file.core_metadata.sha256;
  return sha256 === undefined ? 'true' : `sha256=${sha256}`;
}

/** The versions of a page (PEP 700), oldest first. */
export function pageVersions(page: ProjectPage): string[] {
  const project = normalizeName(page.name);
  const versions = new Set<string>();
  for (const file of page.files) {
    const parsed = parseFileName(file.filename, project);
    if (parsed !== null) versions.add(parsed.version);
  }
  return [...versions].sort(compareVersions);
}

/** A project page as PEP 503 HTML (with PEP 592 yanks and PEP 658/714 metadata attributes). */
export function renderProjectHtml(page: ProjectPage): string {
  const lines = [
    '<!DOCTYPE html>',
    `<html><head><meta name="pypi:repository-version" content="${API_VERSION}"><title>Links for ${escapeHtml(page.name)}</title></head>`,
    `<body><h1>Links for ${escapeHtml(page.name)}</h1>`,
  ];
  for (const file of page.files) {
    const attrs = [`href="${escapeHtml(hrefOf(file))}"`];
    if (file.requires_python !== undefined) attrs.push(`data-requires-python="${escapeHtml(file.requires_python)}"`);
    const meta = metadataAttr(file);
    if (meta !== undefined) {
      attrs.push(`data-dist-info-metadata="${escapeHtml(meta)}"`, `data-core-metadata="${escapeHtml(meta)}"`);
    }
    if (file.yanked !== false) attrs.push(`data-yanked="${file.yanked === true ? '' : escapeHtml(file.yanked)}"`);
    lines.push(`<a ${attrs.join(' ')}>${escapeHtml(file.filename)}</a><br/>`);
  }
  lines.push('</body></html>', '');
  return lines.join('\n');
}

/** A project page as PEP 691 JSON (API 1.1: `versions`, `size`, `upload-time`). */
export function renderProjectJson(page: ProjectPage): string {
  const files = page.files.map((file) => {
    const out: Record<string, unknown> = { filename: file.filename, url: file.url, hashes: file.hashes };
    if (file.requires_python !== undefined) out['requires-python'] = file.requires_python;
    out.yanked = file.yanked;
    // PEP 714: only the new key in JSON; pip 22.3 to 23.1 crash on a `dist-info-metadata` object there.
    out['core-metadata'] = file.core_metadata;
    if (file.size !== undefined) out.size = file.size;
    if (file.upload_time !== undefined) out['upload-time'] = file.upload_time;
    return out;
  });
  return JSON.stringify({ meta: { 'api-version': API_VERSION }, name: page.name, versions: pageVersions(page), files });
}

/** The project list (`/simple/`) in either form. `names` are display names. */
export function renderIndex(names: readonly string[], form: SimpleForm): string {
  const unique = new Map<string, string>();
  for (const name of names) if (!unique.has(normalizeName(name))) unique.set(normalizeName(name), name);
  const sorted = [...unique.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map((e) => e[1]);
  if (form === 'json') {
    return JSON.stringify({ meta: { 'api-version': API_VERSION }, projects: sorted.map((name) => ({ name })) });
  }
  const links = sorted.map((name) => `<a href="${escapeHtml(normalizeName(name))}/">${escapeHtml(name)}</a><br/>`);
  return [
    '<!DOCTYPE html>',
    `<html><head><meta name="pypi:repository-version" content="${API_VERSION}"><title>Simple index</title></head><body>`,
    ...links,
    '</body></html>',
    '',
  ].join('\n');
}

/** A page rendered once per form, with its strong ETag. */
export interface RenderedPage {
  readonly body: Buffer;
  readonly etag: string;
}

const rendered = new WeakMap<ProjectPage, Partial<Record<SimpleForm, RenderedPage>>>();

/**
 * The project page in `form`. Renders are kept with the page object, so a page that is served
 * again unchanged (the hosted page held in memory) is rendered and hashed once.
 */
export function renderProject(page: ProjectPage, form: SimpleForm): RenderedPage {
  let forms = rendered.get(page);
  if (forms === undefined) {
    forms = {};
    rendered.set(page, forms);
  }
  const held = forms[form];
  if (held !== undefined) return held;
  const body = Buffer.from(form === 'json' ? renderProjectJson(page) : renderProjectHtml(page));
  const out = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` };
  forms[form] = out;
  return out;
}

/** A simple API response in the negotiated form; 304 when `If-None-Match` names its ETag. */
export function simpleResponse(body: string | RenderedPage, contentType: string, ifNoneMatch?: string): FormatResponse {
  const headers = {
    'content-type': `${contentType}; charset=utf-8`,
    vary: 'Accept',
    'x-content-type-options': 'nosniff',
  };
  if (typeof body === 'string') return { status: 200, headers, body };
  if (ifNoneMatchHits(ifNoneMatch, body.etag)) {
    return { status: 304, headers: { etag: body.etag, vary: 'Accept' } };
  }
  return { status: 200, headers: { ...headers, etag: body.etag }, body: body.body };
}
