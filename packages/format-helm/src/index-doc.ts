import { createHash } from 'node:crypto';
import { DepotError } from '@depot/core';
import semver from 'semver';
import type { ChartMetadata } from './chart-yaml.js';
import { yaml } from './lazy-yaml.js';

/** One chart version in `index.yaml`: Chart.yaml's fields plus where and what the archive is. */
export interface IndexEntry extends ChartMetadata {
  readonly urls: readonly string[];
  readonly digest?: string;
  readonly created?: string;
  readonly removed?: boolean;
  readonly [field: string]: unknown;
}

/** A parsed `index.yaml`. */
export interface IndexDoc {
  readonly apiVersion: string;
  readonly entries: Readonly<Record<string, readonly IndexEntry[]>>;
  readonly generated?: string;
}

/** Newest first by SemVer precedence (what `helm repo index` writes); invalid versions last. */
export function compareVersionsDesc(a: IndexEntry, b: IndexEntry): number {
  const va = semver.valid(a.version);
  const vb = semver.valid(b.version);
  if (va !== null && vb !== null) return semver.rcompare(va, vb);
  if (va !== null) return -1;
  if (vb !== null) return 1;
  return a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
}

/** Builds the document from entries: names in order, each name's versions newest first. */
export function buildIndex(entries: Iterable<IndexEntry>, generated: string): IndexDoc {
  const byName = new Map<string, IndexEntry[]>();
  for (const entry of entries) byName.set(entry.name, [...(byName.get(entry.name) ?? []), entry]);
  const out: Record<string, IndexEntry[]> = {};
  for (const name of [...byName.keys()].sort()) out[name] = (byName.get(name) ?? []).sort(compareVersionsDesc);
  return { apiVersion: 'v1', entries: out, generated };
}

/** Renders `index.yaml` (plain YAML, no anchors, as Helm writes it). */
export function renderIndex(doc: IndexDoc): string {
  return yaml().stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses an `index.yaml` (a generated one or an upstream's): keeps the entries with a string
 * `name`, `version` and at least one URL; anything else is `UPSTREAM_ERROR` (`what` names the source).
 */
export function parseIndex(text: string, what: string): IndexDoc {
  let doc: unknown;
  try {
    // Real indexes never use aliases; refusing them bounds the expansion of a hostile document.
    doc = yaml().parse(text, { maxAliasCount: 0 });
  } catch (err) {
    throw new DepotError('UPSTREAM_ERROR', `${what} is not valid YAML`, { cause: err });
  }
  if (!isRecord(doc) || !isRecord(doc.entries)) {
    throw new DepotError('UPSTREAM_ERROR', `${what} has no entries mapping`);
  }
  const entries: Record<string, IndexEntry[]> = {};
  for (const [name, list] of Object.entries(doc.entries)) {
    if (!Array.isArray(list)) continue;
    const kept = list.filter(
      (e): e is IndexEntry =>
        isRecord(e) &&
        typeof e.version === 'string' &&
        Array.isArray(e.urls) &&
        typeof e.urls[0] === 'string' &&
        (e.name === undefined || e.name === name),
    );
    if (kept.length > 0) entries[name] = kept.map((e) => ({ ...e, name }));
  }
  return { apiVersion: typeof doc.apiVersion === 'string' ? doc.apiVersion : 'v1', entries };
}

/** A short content key for memo tables. */
export const contentKey = (bytes: Uint8Array | string): string =>
  createHash('sha256').update(bytes).digest('hex').slice(0, 32);

/** The SHA-256 hex of an index entry's `digest` (bare or `sha256:`-prefixed), if it is one. */
export const sha256Of = (digest: unknown): string | undefined =>
  typeof digest === 'string' && /^[0-9a-f]{64}$/i.test(digest.replace(/^sha256:/, ''))
    ? digest.replace(/^sha256:/, '').toLowerCase()
    : undefined;
