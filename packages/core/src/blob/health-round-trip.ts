import type { BlobStore, ByteSource, HealthResult } from './blob-store.js';

const PROBE = new TextEncoder().encode('depot blob store health check\n');

async function* probeBody(): AsyncGenerator<Uint8Array> {
  yield PROBE.slice();
}

async function readAll(body: ByteSource | null | undefined): Promise<Uint8Array> {
  if (body == null) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of body) {
    parts.push(part);
    size += part.byteLength;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/**
 * A health check any blob store can offer: a small write, read back, list and delete through the
 * store's own methods; the probe is removed whatever fails.
 */
export async function healthRoundTrip(store: BlobStore): Promise<HealthResult> {
  let id: string | undefined;
  try {
    const put = await store.put(probeBody());
    id = put.id;
    const got = await store.get(put.id);
    const read = await readAll(got?.body);
    const same = read.byteLength === PROBE.byteLength && read.every((b, i) => b === PROBE[i]);
    if (got?.size !== PROBE.byteLength || !same) return { ok: false, error: 'read back different bytes' };
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
