import { accessDenied } from '../auth/access-denied.js';
import type { Principal, RepoAction } from '../auth/principal.js';
import { badRequest, type DepotError, notAllowed } from '../errors/depot-error.js';
import type { RepositoryRecord } from '../kv/records.js';
import { MAX_PROXY_DEPTH } from './engine.js';

/** Looks a repository up by name; `null` when absent or being deleted. */
export type RepoLookup = (name: string) => Promise<RepositoryRecord | null>;

function chainError(kind: 'cycle' | 'depth', chain: readonly string[]): DepotError {
  const text = chain.join(' -> ');
  return badRequest(
    kind === 'cycle' ? `proxy cycle: ${text}` : `proxy nesting deeper than ${MAX_PROXY_DEPTH}: ${text}`,
    {
      chain: [...chain],
      reason: kind,
    },
  );
}

/**
 * The hosted and cache repositories behind `repo`, in member order, nested proxies expanded
 * depth-first. A repository reachable twice is listed once (its first position). Members that do
 * not exist (or are being deleted) are skipped; `onMissing` hears about them. A cycle or a chain
 * of more than {@link MAX_PROXY_DEPTH} proxies is `BAD_REQUEST` naming the chain.
 *
 * With `reader`, a member (leaf or nested proxy) the principal may not `read` is skipped exactly
 * as if absent, before it is even looked up: its content, and its own members, stay invisible.
 * Without it every member is listed (for checks that must see them all, e.g. deletes).
 */
export async function expandMembers(
  lookup: RepoLookup,
  repo: RepositoryRecord,
  onMissing: (proxy: string, member: string) => void = () => {},
  reader?: Principal,
): Promise<RepositoryRecord[]> {
  if (repo.repo_type !== 'proxy') return [repo];
  const out: RepositoryRecord[] = [];
  const seen = new Set<string>();
  const visit = async (proxy: RepositoryRecord, chain: readonly string[]): Promise<void> => {
    if (chain.length > MAX_PROXY_DEPTH) throw chainError('depth', chain);
    for (const name of proxy.members ?? []) {
      if (chain.includes(name)) throw chainError('cycle', [...chain, name]);
      if (reader !== undefined && !reader.can('read', name)) continue;
      const member = await lookup(name);
      if (member === null) {
        onMissing(proxy.name, name);
        continue;
      }
      if (member.repo_type === 'proxy') {
        await visit(member, [...chain, name]);
      } else if (!seen.has(name)) {
        seen.add(name);
        out.push(member);
      }
    }
  };
  await visit(repo, [repo.name]);
  return out;
}

/** Who asks {@link writeTarget}, and for what; the target of a proxy must allow `action` too. */
export interface WriteAccess {
  readonly principal: Principal;
  readonly action: RepoAction;
}

/**
 * The hosted repository writes to `repo` land in: itself when hosted; for a proxy its
 * `write_member` (followed through nested proxies) or else the first hosted member in order.
 * Cache repositories, and proxies without a hosted member, are `NOT_ALLOWED`.
 *
 * With `access`, a target reached through a proxy must allow `access.action` to the principal,
 * else `FORBIDDEN` (`UNAUTHORIZED` for anonymous). `repo` itself is the caller's to check.
 */
export async function writeTarget(
  lookup: RepoLookup,
  repo: RepositoryRecord,
  access?: WriteAccess,
): Promise<RepositoryRecord> {
  const target = await resolveTarget(lookup, repo);
  if (access !== undefined && target.name !== repo.name && !access.principal.can(access.action, target.name)) {
    throw accessDenied(access.principal, access.action, repo.name);
  }
  return target;
}

/** `NOT_ALLOWED` for a repository whose `write_policy` is `read_only`: no writes, no deletes. */
export function refuseReadOnly(repo: Pick<RepositoryRecord, 'name' | 'write_policy'>): void {
  if (repo.write_policy === 'read_only') throw notAllowed(`repository ${repo.name} is read-only (write_policy)`);
}

async function resolveTarget(lookup: RepoLookup, repo: RepositoryRecord): Promise<RepositoryRecord> {
  const resolve = async (current: RepositoryRecord, chain: readonly string[]): Promise<RepositoryRecord> => {
    refuseReadOnly(current);
    if (current.repo_type === 'hosted') return current;
    if (current.repo_type === 'cache') throw notAllowed(`repository ${current.name} is a cache and read-only`);
    if (chain.length > MAX_PROXY_DEPTH) throw chainError('depth', chain);
    if (current.write_member !== undefined) {
      const name = current.write_member;
      if (chain.includes(name)) throw chainError('cycle', [...chain, name]);
      const member = await lookup(name);
      if (member === null) throw notAllowed(`write member ${name} of ${current.name} does not exist`);
      return resolve(member, [...chain, name]);
    }
    const members = await expandMembers(lookup, current);
    const hosted = members.find((m) => m.repo_type === 'hosted');
    if (hosted === undefined) throw notAllowed(`proxy ${current.name} has no hosted member to write to`);
    refuseReadOnly(hosted);
    return hosted;
  };
  return resolve(repo, [repo.name]);
}
