import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  badRequest,
  compileGlob,
  DepotError,
  globProblem,
  isDepotError,
  type Logger,
  notFound,
  type Principal,
  type RepoAction,
} from '@depot/core';
import type { ApiTokenGrant, ApiTokenRecord, ServerRecords } from '../records/server-records.js';
import type { PrincipalCache, ResolvedPrincipal } from './principals.js';

/** Every API token starts with this, so any credential slot can tell one from a password or a JWT. */
export const API_TOKEN_PREFIX = 'dpt_';
const TOKEN_RE = /^dpt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** The longest lifetime a token may be given. */
export const MAX_TOKEN_LIFETIME_MS = 366 * 86_400_000;
/** Tokens per user, so a loop cannot fill the store. */
export const MAX_TOKENS_PER_USER = 100;
/** How often, at most, a token's `last_used_at` is written. */
const LAST_USED_WRITE_MS = 60_000;

/** True when `credential` has the API token shape's prefix (it may still be malformed). */
export const isApiToken = (credential: string): boolean => credential.startsWith(API_TOKEN_PREFIX);

/** What `POST /api/v1/tokens` asks for. */
export interface NewApiToken {
  readonly name: string;
  readonly expires_at?: string | undefined;
  readonly grants: readonly ApiTokenGrant[];
}

/** A token as listed: everything but the secret's hash and binding. */
export type ApiTokenView = Omit<ApiTokenRecord, 'secret_sha256' | 'bound_to' | 'grants'> & {
  grants: { capability: ApiTokenGrant['capability']; repo: string }[];
};

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();
const invalid = (message = 'invalid token'): DepotError => new DepotError('UNAUTHORIZED', message);

/** The listed form of a record. */
export function viewOf(record: ApiTokenRecord): ApiTokenView {
  const { secret_sha256: _s, bound_to: _b, grants, ...view } = record;
  return { ...view, grants: grants.map((g) => ({ capability: g.capability, repo: g.repo })) };
}

/**
 * The owner's principal narrowed to the token's grants: a repository action needs both the owner's
 * grant and one of the token's; administration needs an administrator owner and an `admin` grant.
 */
export function scopedPrincipal(owner: ResolvedPrincipal, grants: readonly ApiTokenGrant[]): ResolvedPrincipal {
  const full = owner.admin && grants.some((g) => g.capability === 'admin');
  const own = grants
    .filter((g): g is ApiTokenGrant & { capability: RepoAction } => g.capability !== 'admin')
    .map((g) => ({ action: g.capability, matches: compileGlob(g.repo) }));
  return {
    ...owner,
    admin: full,
    can: (action, repo) => owner.can(action, repo) && (full || own.some((g) => g.action === action && g.matches(repo))),
  };
}

/**
 * Scoped, expiring API tokens (`dpt_{id}_{secret}`): created by a signed-in user for a subset of
 * their own access, usable wherever a password or a JWT is. Records are cached briefly per id (a
 * delete here takes effect at once, on other instances within the TTL); `last_used_at` is written
 * at most once a minute per token, never on every request.
 */
export class ApiTokens {
  readonly #cache = new Map<string, { readonly record: ApiTokenRecord | null; readonly expiresAt: number }>();
  readonly #lastWrite = new Map<string, number>();
  readonly #raw = new WeakMap<Principal, string>();

  constructor(
    private readonly records: ServerRecords,
    private readonly principals: PrincipalCache,
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly ttlMs: number,
    private readonly onUse: (owner: string, tokenId: string) => void = () => {},
  ) {}

  /** Makes a token for `owner` (already authenticated by password or JWT); the secret is returned once. */
  async create(owner: ResolvedPrincipal, input: NewApiToken): Promise<{ record: ApiTokenRecord; token: string }> {
    const { user } = await this.principals.get(owner.username);
    if (user === null || owner.anonymous) throw new DepotError('UNAUTHORIZED', 'authentication required');
    const expires = this.#checkExpiry(input.expires_at);
    for (const grant of input.grants) this.#checkGrant(owner, grant);
    const mine = await this.list(owner.username);
    if (mine.length >= MAX_TOKENS_PER_USER) {
      throw new DepotError('CONFLICT', `a user may hold at most ${MAX_TOKENS_PER_USER} tokens; delete some first`);
    }
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const record: ApiTokenRecord = {
      id,
      name: input.name,
      owner: owner.username,
      grants: input.grants.map((g) => ({ capability: g.capability, repo: g.repo })),
      secret_sha256: sha256(secret).toString('hex'),
      bound_to: user.token_secret,
      created_at: new Date(this.now()).toISOString(),
      ...(expires === undefined ? {} : { expires_at: expires }),
    };
    await this.records.apiTokens.putIfVersion(id, record, null);
    return { record, token: `${API_TOKEN_PREFIX}${id}_${secret}` };
  }

  /** The tokens of `owner`, oldest first. */
  async list(owner: string): Promise<ApiTokenRecord[]> {
    const out: ApiTokenRecord[] = [];
    for await (const { record } of this.records.apiTokens.scan()) if (record.owner === owner) out.push(record);
    return out.sort((a, b) => a.created_at.localeCompare(b.created_at));
  }

  /** Deletes token `id` for its owner or an administrator; anyone else is told it does not exist. */
  async remove(id: string, caller: Principal): Promise<void> {
    const record = /^[0-9a-f]{16}$/.test(id) ? await this.records.apiTokens.get(id) : null;
    if (record === null || (!caller.admin && record.owner !== caller.username)) throw notFound(`token ${id} not found`);
    await this.records.apiTokens.delete(id);
    this.#cache.delete(id);
  }

  /** The principal a token acts as; `UNAUTHORIZED` when it is malformed, unknown, expired or revoked. */
  async principal(token: string): Promise<ResolvedPrincipal> {
    const m = TOKEN_RE.exec(token);
    if (m === null) throw invalid();
    const [, id = '', secret = ''] = m;
    const record = await this.#record(id);
    if (record === null || !timingSafeEqual(sha256(secret), Buffer.from(record.secret_sha256, 'hex'))) throw invalid();
    const now = this.now();
    if (record.expires_at !== undefined && Date.parse(record.expires_at) <= now) throw invalid('token expired');
    const { user, principal: owner } = await this.principals.get(record.owner);
    if (user === null || user.token_secret !== record.bound_to) throw invalid('token revoked');
    this.#touch(record, now);
    const principal = scopedPrincipal(owner, record.grants);
    this.#raw.set(principal, token);
    return principal;
  }

  /** The token a principal from {@link principal} was made from (token endpoints hand it back). */
  tokenOf(principal: Principal): { token: string; expiresInSecs: number | undefined } | undefined {
    const token = this.#raw.get(principal);
    if (token === undefined) return undefined;
    const record = this.#cache.get(token.slice(API_TOKEN_PREFIX.length, API_TOKEN_PREFIX.length + 16))?.record;
    const left = record?.expires_at === undefined ? undefined : (Date.parse(record.expires_at) - this.now()) / 1000;
    return { token, expiresInSecs: left === undefined ? undefined : Math.max(1, Math.floor(left)) };
  }

  /** True when `principal` came from an API token (tokens cannot mint tokens). */
  isTokenPrincipal(principal: Principal): boolean {
    return this.#raw.has(principal);
  }

  async #record(id: string): Promise<ApiTokenRecord | null> {
    const hit = this.#cache.get(id);
    if (hit !== undefined && hit.expiresAt > this.now()) return hit.record;
    const record = await this.records.apiTokens.get(id);
    if (this.#cache.size >= 10_000) this.#cache.clear();
    this.#cache.set(id, { record, expiresAt: this.now() + this.ttlMs });
    return record;
  }

  /** Records a use: at most one KV write per token per minute, in the background. */
  #touch(record: ApiTokenRecord, now: number): void {
    if (now - (this.#lastWrite.get(record.id) ?? 0) < LAST_USED_WRITE_MS) return;
    this.#lastWrite.set(record.id, now);
    if (this.#lastWrite.size > 10_000) this.#lastWrite.clear();
    this.onUse(record.owner, record.id);
    const at = new Date(now).toISOString();
    void (async () => {
      const current = await this.records.apiTokens.getVersioned(record.id);
      if (current === null) return;
      await this.records.apiTokens.putIfVersion(record.id, { ...current.record, last_used_at: at }, current.version);
    })().catch((err: unknown) => {
      if (!isDepotError(err, 'CONFLICT'))
        this.logger.warn({ err, token: record.id }, 'token last-use bookkeeping failed');
    });
  }

  #checkExpiry(expiresAt: string | undefined): string | undefined {
    if (expiresAt === undefined) return undefined;
    const at = Date.parse(expiresAt);
    if (!Number.isFinite(at)) throw badRequest('expires_at: must be an ISO 8601 date-time', { field: 'expires_at' });
    if (at <= this.now()) throw badRequest('expires_at: must be in the future', { field: 'expires_at' });
    if (at - this.now() > MAX_TOKEN_LIFETIME_MS) {
      throw badRequest('expires_at: at most a year from now', { field: 'expires_at' });
    }
    return new Date(at).toISOString();
  }

  /**
   * A grant must be the owner's to give: `admin` only from an administrator (on `*`); a named
   * repository only with the owner's own grant on it. A glob is accepted as given — every use is
   * still checked against the owner's grants, so it can never reach further than the owner.
   */
  #checkGrant(owner: ResolvedPrincipal, grant: ApiTokenGrant): void {
    const problem = globProblem(grant.repo);
    if (problem !== null) throw badRequest(`grants: repo "${grant.repo}" ${problem}`, { field: 'grants' });
    const name = `${grant.capability} on ${grant.repo}`;
    if (grant.capability === 'admin') {
      if (!owner.admin) throw new DepotError('FORBIDDEN', `grants: ${name}: only administrators may grant admin`);
      if (grant.repo !== '*') throw badRequest(`grants: ${name}: admin is granted on "*" only`, { field: 'grants' });
      return;
    }
    const literal = !grant.repo.includes('*') && !grant.repo.includes('?');
    if (literal && !owner.can(grant.capability, grant.repo)) {
      throw new DepotError('FORBIDDEN', `grants: ${name}: you do not hold it yourself`, { details: { grant } });
    }
  }
}
