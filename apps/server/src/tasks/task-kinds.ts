import {
  artifactId,
  type BlobStore,
  badRequest,
  createBlake3,
  DepotError,
  type KvStore,
  notFound,
  type RepositoryRecord,
} from '@depot/core';
import type { ServerRecords } from '../records/server-records.js';
import type { StoreRegistry } from '../runtime/store-registry.js';
import type { RepoService } from '../services/repo-service.js';
import type { CreateRepoInput } from '../services/schemas.js';
import { type CleanupPassDeps, runCleanupPass } from '../workers/cleanup-policies.js';
import type { GcService } from '../workers/gc.js';
import type { TaskContext, TaskKind } from './task-service.js';

/** A JSON object body with only `allowed` keys; anything else is a 400 naming the key. */
function body(params: unknown, allowed: readonly string[]): Record<string, unknown> {
  const value = params ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('the body must be a JSON object');
  for (const key of Object.keys(value))
    if (!allowed.includes(key)) throw badRequest(`unknown field ${key}`, { field: key });
  return value as Record<string, unknown>;
}

function flag(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw badRequest(`${field}: must be a boolean`, { field });
  return value;
}

const throwIfCancelled = (ctx: TaskContext): void => {
  if (ctx.signal.aborted) throw ctx.signal.reason;
};

/** `gc`: one blob GC pass (`dry_run` reports only); refused up front while one runs or too soon. */
export function gcTask(gc: GcService): TaskKind<{ dry_run: boolean }> {
  return {
    kind: 'gc',
    async prepare(params) {
      const dry_run = flag(body(params, ['dry_run']).dry_run, 'dry_run');
      await gc.precheck({ dryRun: dry_run });
      return { dry_run };
    },
    async run({ dry_run }, ctx) {
      ctx.progress({ phase: dry_run ? 'dry run' : 'pass' });
      return gc.run({ dryRun: dry_run });
    },
  };
}

/** What an integrity check found. */
interface Finding {
  readonly kind: 'missing-blob' | 'corrupt-blob' | 'dangling-artifact';
  readonly store: string;
  readonly blob_id: string;
  readonly artifact?: string;
  readonly fixed?: boolean;
}

/**
 * `check`: every blob record's blob exists (and, with `rehash`, still hashes to its BLAKE3); every
 * artifact points at a blob that exists. With `fix`, records pointing at missing or corrupt bytes
 * are deleted. Findings are in the result (the first 1000).
 */
export function checkTask(records: ServerRecords, stores: StoreRegistry): TaskKind<{ rehash: boolean; fix: boolean }> {
  return {
    kind: 'check',
    prepare(params) {
      const b = body(params, ['rehash', 'fix']);
      return { rehash: flag(b.rehash, 'rehash'), fix: flag(b.fix, 'fix') };
    },
    async run({ rehash, fix }, ctx) {
      const started = Date.now();
      const findings: Finding[] = [];
      const note = (f: Finding) => {
        if (findings.length < 1000) findings.push(f);
        ctx.log(`${f.kind} ${f.store}/${f.blob_id}${f.artifact === undefined ? '' : ` (${f.artifact})`}`);
      };
      const open = new Map<string, BlobStore | null>();
      const storeOf = async (name: string): Promise<BlobStore | null> => {
        if (!open.has(name)) open.set(name, await stores.get(name).catch(() => null));
        return open.get(name) ?? null;
      };
      const bad = new Set<string>();
      let blobs = 0;
      let hashedBytes = 0;
      ctx.progress({ phase: 'blobs', done: 0 });
      for await (const { id, record } of records.blobs.scan()) {
        throwIfCancelled(ctx);
        blobs++;
        const store = await storeOf(record.store);
        const key = `${record.store}/${record.blob_id}`;
        let problem: Finding['kind'] | null = null;
        if (store === null || (await store.head(record.blob_id)) === null) problem = 'missing-blob';
        else if (rehash) {
          const read = await store.get(record.blob_id);
          const hasher = createBlake3();
          for await (const chunk of read?.body ?? []) {
            hasher.update(chunk);
            hashedBytes += chunk.byteLength;
          }
          if (read === null || hasher.digestHex() !== record.hashes.blake3) problem = 'corrupt-blob';
        }
        if (problem !== null) {
          bad.add(key);
          if (fix) await records.blobs.delete(id);
          note({ kind: problem, store: record.store, blob_id: record.blob_id, ...(fix ? { fixed: true } : {}) });
        }
        ctx.progress({ done: blobs, bytes: hashedBytes });
      }
      let artifacts = 0;
      const live = new Map<string, boolean>();
      ctx.progress({ phase: 'artifacts', done: 0 });
      for await (const { record } of records.artifacts.scan()) {
        throwIfCancelled(ctx);
        artifacts++;
        const key = `${record.store}/${record.blob_id}`;
        let ok = live.get(key);
        if (ok === undefined) {
          const store = await storeOf(record.store);
          ok = !bad.has(key) && store !== null && (await store.head(record.blob_id)) !== null;
          if (live.size < 100_000) live.set(key, ok);
        }
        if (!ok) {
          const path = `${record.repo}/${record.path}`;
          if (fix) await records.artifacts.delete(artifactId(record.repo, record.path));
          note({
            kind: 'dangling-artifact',
            store: record.store,
            blob_id: record.blob_id,
            artifact: path,
            ...(fix ? { fixed: true } : {}),
          });
        }
        ctx.progress({ done: artifacts });
      }
      const secs = (Date.now() - started) / 1000;
      return {
        blob_records: blobs,
        artifacts,
        hashed_bytes: hashedBytes,
        hash_mb_per_sec: rehash && secs > 0 ? Math.round(hashedBytes / 1e6 / secs) : undefined,
        findings,
        fixed: fix,
        elapsed_ms: Date.now() - started,
      };
    },
  };
}

/** `bulk-delete`: every artifact of `repo` under `prefix`, with progress and cancel. */
export function bulkDeleteTask(
  records: ServerRecords,
  repos: RepoService,
  deleteArtifact: (repo: string, path: string) => Promise<boolean>,
): TaskKind<{ repo: string; prefix: string }> {
  return {
    kind: 'bulk-delete',
    async prepare(params) {
      const b = body(params, ['repo', 'prefix']);
      if (typeof b.repo !== 'string' || b.repo === '') throw badRequest('repo: required', { field: 'repo' });
      if (typeof b.prefix !== 'string') throw badRequest('prefix: required (may be "")', { field: 'prefix' });
      await repos.get(b.repo).catch(() => {
        throw notFound(`repository ${String(b.repo)} not found`);
      });
      return { repo: b.repo, prefix: b.prefix.replace(/^\/+/, '') };
    },
    async run({ repo, prefix }, ctx) {
      const paths: string[] = [];
      ctx.progress({ phase: 'listing' });
      for await (const { record } of records.artifacts.scan({ prefix: `${repo}/${prefix}` })) paths.push(record.path);
      let deleted = 0;
      ctx.progress({ phase: 'deleting', done: 0, total: paths.length });
      for (const [i, path] of paths.entries()) {
        throwIfCancelled(ctx);
        if (await deleteArtifact(repo, path)) deleted++;
        ctx.progress({ done: i + 1 });
      }
      return { deleted };
    },
  };
}

/** Copies every KV key under `from` to the same key under `to`, a page at a time; the count. */
async function copyKeys(kv: KvStore, from: string, to: string, ctx: TaskContext): Promise<number> {
  let copied = 0;
  let cursor: string | undefined;
  do {
    throwIfCancelled(ctx);
    const page = await kv.list({ prefix: from, limit: 500, ...(cursor === undefined ? {} : { cursor }) });
    if (page.entries.length > 0) {
      await kv.batch(
        page.entries.map((e) => ({ type: 'put' as const, key: `${to}${e.key.slice(from.length)}`, value: e.value })),
      );
    }
    copied += page.entries.length;
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
  return copied;
}

/**
 * `clone`: a new repository `target` with `source`'s configuration, artifacts and format records
 * (npm packuments, PyPI projects, Docker tags…). Metadata only: blobs are shared, nothing is
 * copied byte by byte. Artifact records name their repository, so they are rewritten one by one;
 * a format's own records are copied key for key under the target's prefixes.
 */
export function cloneTask(
  records: ServerRecords,
  repos: RepoService,
  formatPrefixes: (repo: RepositoryRecord) => readonly string[],
): TaskKind<{ source: string; target: string }> {
  return {
    kind: 'clone',
    async prepare(params) {
      const b = body(params, ['source', 'target']);
      if (typeof b.source !== 'string' || typeof b.target !== 'string') {
        throw badRequest('source and target: required repository names', { field: 'source' });
      }
      const source = await repos.get(b.source);
      if (source.repo_type === 'proxy')
        throw badRequest('a proxy has no contents of its own: create another proxy instead');
      if ((await records.repositories.get(b.target)) !== null) {
        throw new DepotError('CONFLICT', `repository ${b.target} already exists`, { details: { field: 'target' } });
      }
      return { source: b.source, target: b.target };
    },
    async run({ source, target }, ctx) {
      const from = await repos.get(source);
      const { name: _n, created_at: _c, updated_at: _u, deleting: _d, ...config } = from;
      // Through the service: the same validation as a create, and listeners hear about it.
      const created = await repos.create({ ...(config as Omit<CreateRepoInput, 'name'>), name: target });
      ctx.log(`created ${target}`);
      let artifacts = 0;
      ctx.progress({ phase: 'artifacts', done: 0 });
      for await (const { record } of records.artifacts.scan({ prefix: `${source}/` })) {
        throwIfCancelled(ctx);
        await records.artifacts.put(artifactId(target, record.path), { ...record, repo: target });
        artifacts++;
        if (artifacts % 100 === 0) ctx.progress({ done: artifacts });
      }
      ctx.progress({ phase: 'records', done: artifacts });
      let formatRecords = await copyKeys(records.kv, `dir/${source}/`, `dir/${target}/`, ctx);
      const targets = formatPrefixes(created);
      for (const [i, prefix] of formatPrefixes(from).entries()) {
        const to = targets[i];
        if (to !== undefined) formatRecords += await copyKeys(records.kv, prefix, to, ctx);
      }
      return { source, target, artifacts, records: formatRecords };
    },
  };
}

/** `clean`: every repository's cleanup policies now (`dry_run` lists what would go), or one `repo`'s. */
export function cleanTask(deps: CleanupPassDeps): TaskKind<{ dry_run: boolean; repo?: string }> {
  return {
    kind: 'clean',
    async prepare(params) {
      const b = body(params, ['dry_run', 'repo']);
      if (
        b.repo !== undefined &&
        (typeof b.repo !== 'string' || (await deps.records.repositories.get(b.repo)) === null)
      ) {
        throw notFound(`repository ${String(b.repo)} not found`);
      }
      return { dry_run: flag(b.dry_run, 'dry_run'), ...(typeof b.repo === 'string' ? { repo: b.repo } : {}) };
    },
    run({ dry_run, repo }, ctx) {
      ctx.progress({ phase: dry_run ? 'listing' : 'expiring', done: 0 });
      return runCleanupPass(deps, {
        dryRun: dry_run,
        ...(repo === undefined ? {} : { repo }),
        signal: ctx.signal,
        onProgress: (done) => ctx.progress({ done }),
      });
    },
  };
}
