import { DepotError } from '../errors/depot-error.js';
import type { RepositoryRecord } from '../kv/records.js';

/**
 * A cache repository's cooldown at one moment: versions its upstream published after `cutoff` are
 * hidden from metadata and refused on download, unless the package is on the allow-list.
 */
export interface Cooldown {
  /** Epoch ms: anything published later is still cooling down. */
  readonly cutoff: number;
  /** True when `name` (a package, project, crate or module) is exempt (`cooldown_allow`). */
  allows(name: string): boolean;
  /** True when something of `name` published at `publishedAt` (ISO string or epoch ms) must stay hidden. */
  hides(name: string, publishedAt: string | number | undefined): boolean;
  /** When something published at `publishedAt` comes out of cooldown (ISO). */
  until(publishedAt: string | number): string;
}

const msOf = (at: string | number): number => (typeof at === 'number' ? at : Date.parse(at));

/**
 * The cooldown of `repo` at `now` (epoch ms), or `null` when it has none (`cooldown_secs` absent or
 * 0). `cooldown_allow` entries match a name exactly or, ending in `*`, by prefix (case-insensitive).
 * A publish time that is missing or unparsable never hides anything: only what is known to be new is.
 */
export function cooldownOf(
  repo: Pick<RepositoryRecord, 'cooldown_secs' | 'cooldown_allow'>,
  now: number,
): Cooldown | null {
  const secs = repo.cooldown_secs ?? 0;
  if (secs <= 0) return null;
  const cutoff = now - secs * 1000;
  const allow = (repo.cooldown_allow ?? []).map((a) => a.toLowerCase());
  const allows = (name: string): boolean => {
    const lower = name.toLowerCase();
    return allow.some((a) => (a.endsWith('*') ? lower.startsWith(a.slice(0, -1)) : lower === a));
  };
  return {
    cutoff,
    allows,
    hides(name, publishedAt) {
      if (publishedAt === undefined) return false;
      const at = msOf(publishedAt);
      return Number.isFinite(at) && at > cutoff && !allows(name);
    },
    until: (publishedAt) => new Date(msOf(publishedAt) + secs * 1000).toISOString(),
  };
}

/** `FORBIDDEN` for a download of something still in its cooldown, naming when it comes out. */
export function cooldownRefusal(repo: string, subject: string, until: string): DepotError {
  return new DepotError('FORBIDDEN', `${subject} is in its cooldown period in ${repo} until ${until}`, {
    details: { repo, subject, cooldown_until: until },
  });
}
