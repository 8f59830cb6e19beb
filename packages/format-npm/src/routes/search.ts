import {
  type FormatRequest,
  type FormatResponse,
  parseQueryInteger,
  type RepositoryRecord,
  requireRepoAccess,
} from '@depot/core';
import type { NpmEnv } from '../env.js';
import { jsonResponse } from '../errors.js';
import type { Packument } from '../types.js';

const DEFAULT_SIZE = 20;
const MAX_SIZE = 250;

function intParam(value: string | null, name: string, fallback: number, max: number): number {
  return Math.min(parseQueryInteger(value, name, Number.MAX_SAFE_INTEGER) ?? fallback, max);
}

function matches(doc: Packument, words: readonly string[]): boolean {
  const keywords = Array.isArray(doc.keywords) ? doc.keywords.filter((k): k is string => typeof k === 'string') : [];
  const haystack = [doc.name, typeof doc.description === 'string' ? doc.description : '', ...keywords]
    .join(' ')
    .toLowerCase();
  return words.every((word) => haystack.includes(word));
}

function searchObject(doc: Packument): Record<string, unknown> {
  const latest = doc['dist-tags'].latest;
  const version = latest === undefined ? undefined : doc.versions[latest];
  return {
    package: {
      name: doc.name,
      version: latest,
      description: typeof doc.description === 'string' ? doc.description : version?.description,
      keywords: Array.isArray(doc.keywords) ? doc.keywords : [],
      date: doc.time?.modified,
      maintainers: Array.isArray(doc.maintainers) ? doc.maintainers : [],
      links: {},
    },
    score: { final: 1, detail: { quality: 1, popularity: 1, maintenance: 1 } },
    searchScore: 1,
  };
}

/**
 * `GET -/v1/search?text=&size=&from=`: substring search over name, description and keywords of the
 * hosted packuments (a proxy searches its hosted members; cache repositories have nothing to list).
 */
export async function search(env: NpmEnv, req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  const words = (req.query.get('text') ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  const size = intParam(req.query.get('size'), 'size', DEFAULT_SIZE, MAX_SIZE);
  const from = intParam(req.query.get('from'), 'from', 0, Number.MAX_SAFE_INTEGER);
  const members: readonly RepositoryRecord[] =
    req.repo.repo_type === 'proxy' ? await env.engine.resolveMembers(req.repo.name) : [req.repo];
  const found = new Map<string, Packument>();
  for (const member of members) {
    if (member.repo_type !== 'hosted') continue;
    for await (const stored of env.store.scan(member.name)) {
      if (!found.has(stored.doc.name) && matches(stored.doc, words)) found.set(stored.doc.name, stored.doc);
    }
  }
  const all = [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
  return jsonResponse(200, {
    objects: all.slice(from, from + size).map(searchObject),
    total: all.length,
    time: new Date().toUTCString(),
  });
}
