import type { Cooldown } from '@depot/core';
import semver from 'semver';
import { dict, highestVersion } from './tags.js';
import type { Packument, PackumentVersion } from './types.js';

/** Tarball files hidden by a cooldown, and when each comes out of it, per filtered packument. */
const cooling = new WeakMap<Packument, ReadonlyMap<string, string>>();

/** When the tarball `file` of a packument {@link withCooldown} returned comes out of cooldown, if it is hidden. */
export const coolingUntil = (doc: Packument, file: string): string | undefined => cooling.get(doc)?.get(file);

/**
 * `doc` without the versions its upstream published after the cooldown's cutoff (by the
 * packument's `time`): they leave `versions` and `time`; a dist-tag pointing at one moves back to
 * the highest older version of the same kind (stable or prerelease), or is dropped. Versions
 * without a publish time stay visible.
 */
export function withCooldown(doc: Packument, cooldown: Cooldown, fileOf: (v: PackumentVersion) => string): Packument {
  if (cooldown.allows(doc.name)) return doc;
  const time = doc.time ?? {};
  const hidden = Object.keys(doc.versions).filter((v) => cooldown.hides(doc.name, time[v]));
  if (hidden.length === 0) return doc;
  const versions = dict<PackumentVersion>();
  const times = dict<string>();
  const files = new Map<string, string>();
  for (const [key, version] of Object.entries(doc.versions)) {
    if (hidden.includes(key)) files.set(fileOf(version), cooldown.until(time[key] ?? 0));
    else versions[key] = version;
  }
  for (const [key, at] of Object.entries(time)) if (!hidden.includes(key)) times[key] = at;
  const left = Object.keys(versions);
  const tags = dict<string>();
  for (const [tag, target] of Object.entries(doc['dist-tags'])) {
    if (!hidden.includes(target)) tags[tag] = target;
    else {
      // The highest older version of the same kind (stable for a stable tag): never a jump to another line ahead.
      const older = left.filter(
        (v) => semver.valid(v) !== null && semver.valid(target) !== null && semver.lt(v, target),
      );
      const sameKind = older.filter((v) => (semver.prerelease(v) === null) === (semver.prerelease(target) === null));
      const replacement = highestVersion(sameKind) ?? (tag === 'latest' ? highestVersion(older) : undefined);
      if (replacement !== undefined) tags[tag] = replacement;
    }
  }
  const out: Packument = { ...doc, versions, time: times, 'dist-tags': tags };
  cooling.set(out, files);
  return out;
}
