import type { KvBatchOp, KvStore, Logger } from '@depot/core';

/** One move: every key under `from`, re-keyed by `to` (`null`: dropped). */
interface KeyMove {
  readonly from: string;
  to(key: string, value: Uint8Array): string | null;
}

const decoder = new TextDecoder();

/** The `repo` of a record envelope (`{"v":1,"d":{…}}`), `null` when unreadable. */
function recordRepo(value: Uint8Array): string | null {
  try {
    const repo = (JSON.parse(decoder.decode(value)) as { d?: { repo?: unknown } }).d?.repo;
    return typeof repo === 'string' && repo !== '' ? repo : null;
  } catch {
    return null;
  }
}

/**
 * Records formats kept outside their own namespace before each format got one (`fmt/<name>/`):
 * npm's integrity pins (`fmt/npm-pin/{repo}/…` → `fmt/npm/-pin/{repo}/…`) and Docker's upload
 * sessions (`upload/{uuid}` → `fmt/docker/up/{repo}/{uuid}`).
 */
const MOVES: readonly KeyMove[] = [
  { from: 'fmt/npm-pin/', to: (key) => `fmt/npm/-pin/${key.slice('fmt/npm-pin/'.length)}` },
  {
    from: 'upload/',
    to(key, value) {
      const repo = recordRepo(value);
      return repo === null ? null : `fmt/docker/up/${repo}/${key.slice('upload/'.length)}`;
    },
  },
];

/**
 * Moves records written by older versions into their format's namespace, once at startup (a no-op
 * when there are none). Each page is copied, then the old keys deleted, so a crash between the two
 * leaves a copy at both places and the next start finishes the move.
 */
export async function moveLegacyFormatKeys(kv: KvStore, logger: Logger): Promise<number> {
  let moved = 0;
  for (const move of MOVES) {
    for (;;) {
      const page = await kv.list({ prefix: move.from, limit: 500 });
      if (page.entries.length === 0) break;
      const puts: KvBatchOp[] = [];
      for (const e of page.entries) {
        const key = move.to(e.key, e.value);
        if (key !== null) puts.push({ type: 'put', key, value: e.value });
      }
      if (puts.length > 0) await kv.batch(puts);
      await kv.batch(page.entries.map((e) => ({ type: 'delete' as const, key: e.key })));
      moved += puts.length;
    }
  }
  if (moved > 0) logger.info({ moved }, 'format records moved into their namespaces');
  return moved;
}
