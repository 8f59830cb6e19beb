import { DepotError } from '@depot/core';
import { normalizeName } from './names.js';
import { isObject, type PageFile, type ProjectPage } from './types.js';

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the HTML character references that appear in attribute values and link texts. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

const ANCHOR = /<a\s([^>]*)>([\s\S]*?)<\/a\s*>/gi;
const ATTRIBUTE = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

/** The attributes of one tag, names lower-cased, values decoded. */
function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(ATTRIBUTE)) {
    const name = (m[1] ?? '').toLowerCase();
    if (!out.has(name)) out.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return out;
}

function splitFragment(href: string, base: URL): { url: URL; hashes: Record<string, string> } | null {
  let url: URL;
  try {
    url = new URL(href, base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const hashes: Record<string, string> = {};
  const fragment = /^#(sha256|sha384|sha512|md5|sha224|sha1|blake2b_256)=([0-9a-fA-F]+)$/.exec(url.hash);
  if (fragment?.[1] !== undefined && fragment[2] !== undefined) hashes[fragment[1]] = fragment[2].toLowerCase();
  url.hash = '';
  return { url, hashes };
}

function fileNameOf(url: URL): string {
  const last = url.pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

function metadataValue(value: string | undefined): boolean | Record<string, string> {
  if (value === undefined || value === 'false') return false;
  const m = /^(sha256)=([0-9a-fA-F]{64})$/.exec(value);
  return m?.[2] === undefined ? true : { sha256: m[2].toLowerCase() };
}

/** Parses a PEP 503 HTML project page; links resolve against `pageUrl`. */
export function parseHtmlPage(html: string, pageUrl: string, project: string): ProjectPage {
  let base = new URL(pageUrl);
  const baseTag = /<base\s([^>]*)>/i.exec(html);
  const baseHref = baseTag?.[1] === undefined ? undefined : attributes(baseTag[1]).get('href');
  if (baseHref !== undefined) {
    try {
      base = new URL(baseHref, base);
    } catch {
      // a broken <base> is ignored
    }
  }
  const files: PageFile[] = [];
  for (const m of html.matchAll(ANCHOR)) {
    const attrs = attributes(m[1] ?? '');
    const href = attrs.get('href');
    if (href === undefined) continue;
    const split = splitFragment(href, base);
    if (split === null) continue;
    const yanked = attrs.get('data-yanked');
    const requires = attrs.get('data-requires-python');
    files.push({
      filename: fileNameOf(split.url),
      url: split.url.href,
      hashes: split.hashes,
      ...(requires === undefined || requires === '' ? {} : { requires_python: requires }),
      yanked: yanked === undefined ? false : yanked === '' ? true : yanked,
      core_metadata: metadataValue(attrs.get('data-core-metadata') ?? attrs.get('data-dist-info-metadata')),
    });
  }
  return { name: project, files };
}

/** Parses a PEP 691 JSON project page; relative URLs resolve against `pageUrl`. */
export function parseJsonPage(text: string, pageUrl: string, project: string): ProjectPage {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new DepotError('UPSTREAM_ERROR', `upstream page for ${project} is not valid JSON`);
  }
  if (!isObject(doc) || !Array.isArray(doc.files))
    throw new DepotError('UPSTREAM_ERROR', `upstream page for ${project} is malformed`);
  const base = new URL(pageUrl);
  const files: PageFile[] = [];
  for (const entry of doc.files) {
    if (!isObject(entry) || typeof entry.url !== 'string' || typeof entry.filename !== 'string') continue;
    const split = splitFragment(entry.url, base);
    if (split === null) continue;
    const hashes: Record<string, string> = { ...split.hashes };
    if (isObject(entry.hashes)) {
      for (const [alg, value] of Object.entries(entry.hashes))
        if (typeof value === 'string') hashes[alg] = value.toLowerCase();
    }
    const meta = entry['core-metadata'] ?? entry['dist-info-metadata'];
    const yanked = entry.yanked;
    files.push({
      filename: entry.filename,
      url: split.url.href,
      hashes,
      ...(typeof entry['requires-python'] === 'string' ? { requires_python: entry['requires-python'] } : {}),
      yanked: typeof yanked === 'string' ? yanked || true : yanked === true,
      core_metadata: isObject(meta)
        ? Object.fromEntries(Object.entries(meta).filter((e): e is [string, string] => typeof e[1] === 'string'))
        : meta === true,
      ...(typeof entry.size === 'number' ? { size: entry.size } : {}),
      ...(typeof entry['upload-time'] === 'string' ? { upload_time: entry['upload-time'] } : {}),
    });
  }
  const name = typeof doc.name === 'string' && normalizeName(doc.name) === project ? doc.name : project;
  return { name, files };
}

/** Parses an upstream project list (`/simple/`), HTML or JSON: the display names. */
export function parseIndex(text: string, json: boolean): string[] {
  if (json) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new DepotError('UPSTREAM_ERROR', 'upstream project list is not valid JSON');
    }
    if (!isObject(doc) || !Array.isArray(doc.projects))
      throw new DepotError('UPSTREAM_ERROR', 'upstream project list is malformed');
    return doc.projects.flatMap((p) => (isObject(p) && typeof p.name === 'string' ? [p.name] : []));
  }
  const names: string[] = [];
  for (const m of text.matchAll(ANCHOR)) names.push(decodeEntities((m[2] ?? '').replace(/<[^>]*>/g, '').trim()));
  return names.filter((n) => n !== '');
}
