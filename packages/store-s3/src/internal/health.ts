import type { BlobStore, HealthResult } from '@depot/core';

const PROBE = new TextEncoder().encode('depot blob store health check\n');

async function* probeBody(): AsyncGenerator<Uint8Array> {
  yield PROBE.slice();
}

/** A write / read / list / delete round trip through the store's own methods. */
export async function healthRoundTrip(store: BlobStore): Promise<HealthResult> {
  let id: string | undefined;
  try {
    const put = await store.put(probeBody());
    id = put.id;
    const got = await store.get(put.id);
    const parts: Uint8Array[] = [];
    for await (const part of got?.body ?? []) parts.push(part);
    const read = Buffer.concat(parts);
    if (got?.size !== PROBE.length || !read.equals(PROBE)) return { ok: false, error: 'read back different bytes' };
    await store.list({ limit: 1 });
    if (!(await store.delete(put.id))) return { ok: false, error: 'the probe blob could not be deleted' };
    id = undefined;
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    if (id !== undefined) await store.delete(id).catch(() => undefined);
  }
}
