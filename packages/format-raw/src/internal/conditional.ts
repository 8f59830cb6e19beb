import type { ArtifactRecord, HeaderMap } from '@depot/core';

/** The strong entity tag of an artifact: its BLAKE3, quoted. */
export const entityTag = (record: ArtifactRecord): string => `"${record.hashes.blake3}"`;

const ENTITY_TAG = /(W\/)?"[^"]*"/g;

/** Seconds since the epoch of an HTTP date or ISO timestamp; `null` when it does not parse. */
function seconds(date: string): number | null {
  const ms = Date.parse(date);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

/** Whether `If-None-Match` lists the artifact's tag, by weak comparison (RFC 9110 §13.1.2). */
function noneMatchHits(header: string, record: ArtifactRecord): boolean {
  if (header.trim() === '*') return true;
  const ours = entityTag(record);
  for (const [tag, weak] of header.matchAll(ENTITY_TAG)) {
    if (tag.slice(weak?.length ?? 0) === ours) return true;
  }
  return false;
}

/**
 * True when a GET/HEAD should answer 304 (RFC 9110 §13.2.2): `If-None-Match` decides when present;
 * otherwise `If-Modified-Since`, compared at one-second granularity, an unparseable date ignored.
 */
export function isNotModified(headers: HeaderMap, record: ArtifactRecord): boolean {
  const noneMatch = headers['if-none-match'];
  if (noneMatch !== undefined) return noneMatchHits(noneMatch, record);
  const since = headers['if-modified-since'];
  if (since === undefined) return false;
  const limit = seconds(since);
  const modified = seconds(record.updated_at);
  return limit !== null && modified !== null && modified <= limit;
}

/**
 * Whether `If-Range` lets a Range apply (RFC 9110 §13.1.5): absent, a strongly matching entity tag,
 * or exactly the Last-Modified date. Otherwise the whole representation is served.
 */
export function ifRangeAllows(headers: HeaderMap, record: ArtifactRecord): boolean {
  const value = headers['if-range']?.trim();
  if (value === undefined) return true;
  if (value.startsWith('"')) return value === entityTag(record);
  if (value.startsWith('W/')) return false;
  const date = seconds(value);
  return date !== null && date === seconds(record.updated_at);
}
