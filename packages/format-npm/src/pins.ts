import {
  type IntegrityReporter,
  isDepotError,
  type KvStore,
  type Logger,
  type RecordView,
  recordView,
} from '@depot/core';
import { sriSha512Hex } from './integrity.js';
import { dict } from './tags.js';
import type { Packument, PackumentDist, PackumentVersion } from './types.js';

/**
 * Where first-seen digests live in the format's KV namespace: `-pin/{repo}/{name}` (a repository
 * name never starts with `-`, so this cannot meet a packument key). Before formats had their own
 * namespace they were kept under `fmt/npm-pin/`; the server moves those at startup.
 */
export const PIN_PREFIX = '-pin/';
const MAX_CAS_ATTEMPTS = 8;

/** The digests a cache repository first saw for one version. */
export interface VersionPin {
  readonly integrity?: string;
  readonly shasum?: string;
}

interface PinRecord {
  readonly versions: Readonly<Record<string, VersionPin>>;
}

/** First-seen `dist.integrity`/`shasum` per version of every package a cache repository serves. */
export interface IntegrityPins {
  /**
   * Returns `doc` with every version's digests as first seen: versions seen for the first time are
   * pinned; a version whose upstream digests changed keeps the pinned ones (logged and counted),
   * so the tarball fill is verified against the bytes first published.
   */
  apply(repo: string, doc: Packument): Promise<Packument>;
}

function pinOf(dist: PackumentDist): VersionPin | undefined {
  const pin: { integrity?: string; shasum?: string } = {};
  if (typeof dist.integrity === 'string') pin.integrity = dist.integrity;
  if (typeof dist.shasum === 'string') pin.shasum = dist.shasum.toLowerCase();
  return pin.integrity === undefined && pin.shasum === undefined ? undefined : pin;
}

/** Whether `dist` names other bytes than `pin` (compared on the digests both carry). */
function replaced(pin: VersionPin, dist: PackumentDist): boolean {
  if (pin.integrity !== undefined && typeof dist.integrity === 'string') {
    const pinned = sriSha512Hex(pin.integrity);
    const now = sriSha512Hex(dist.integrity);
    if (pinned.length > 0 && now.length > 0) return !now.some((d) => pinned.includes(d));
    if (pin.integrity !== dist.integrity && pinned.length + now.length === 0) return true;
  }
  if (pin.shasum !== undefined && typeof dist.shasum === 'string') return pin.shasum !== dist.shasum.toLowerCase();
  return false;
}

/** A pin's digests as an integrity event names them. */
const digestsOf = (pin: VersionPin): Record<string, string> => ({
  ...(pin.integrity === undefined ? {} : { integrity: pin.integrity }),
  ...(pin.shasum === undefined ? {} : { shasum: pin.shasum }),
});

function pinned(version: PackumentVersion, pin: VersionPin): PackumentVersion {
  const { integrity: _i, shasum: _s, ...rest } = version.dist;
  return { ...version, dist: { ...rest, ...pin } as PackumentDist };
}

/** Creates the pin store over the format's KV namespace; refused replacements go to `integrity`. */
export function integrityPins(kv: KvStore, logger: Logger, integrity: IntegrityReporter): IntegrityPins {
  const view: RecordView<PinRecord> = recordView<PinRecord>(kv, { prefix: PIN_PREFIX, schemaVersion: 1 });
  return {
    async apply(repo, doc) {
      const id = `${repo}/${doc.name}`;
      for (let attempt = 0; ; attempt++) {
        const current = await view.getVersioned(id);
        const pins = Object.assign(dict<VersionPin>(), current?.record.versions);
        const versions = dict<PackumentVersion>();
        let added = false;
        for (const [key, version] of Object.entries(doc.versions)) {
          const pin = pins[key];
          if (pin === undefined) {
            const first = pinOf(version.dist);
            if (first !== undefined) {
              pins[key] = first;
              added = true;
            }
            versions[key] = version;
          } else if (replaced(pin, version.dist)) {
            integrity.report({
              repo,
              subject: `${doc.name}@${key}`,
              pinned: digestsOf(pin),
              upstream: digestsOf(pinOf(version.dist) ?? {}),
            });
            versions[key] = pinned(version, pin);
          } else {
            versions[key] = version;
          }
        }
        const result: Packument = { ...doc, versions };
        if (!added) return result;
        try {
          await view.putIfVersion(id, { versions: pins }, current?.version ?? null);
          return result;
        } catch (err) {
          if (!isDepotError(err, 'CONFLICT')) throw err;
          if (attempt + 1 >= MAX_CAS_ATTEMPTS) {
            // Another reader is pinning the same package: what it pins is what this one saw first too.
            logger.warn({ repo, package: doc.name }, 'npm integrity pins are being updated concurrently');
            return result;
          }
        }
      }
    },
  };
}
