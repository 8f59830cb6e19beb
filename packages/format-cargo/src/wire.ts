import { type ByteSource, badRequest, DepotError } from '@depot/core';

/** Reads exact byte counts from a stream, keeping at most one chunk ahead. */
class ByteReader {
  readonly #it: AsyncIterator<Uint8Array>;
  #held: Uint8Array = new Uint8Array(0);

  constructor(source: ByteSource) {
    this.#it = source[Symbol.asyncIterator]();
  }

  /** Exactly `n` bytes; `BAD_REQUEST` naming `what` when the body ends first. */
  async read(n: number, what: string): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let have = 0;
    while (have < n) {
      if (this.#held.byteLength === 0) {
        const next = await this.#it.next();
        if (next.done === true) throw badRequest(`publish body ends inside ${what}`);
        this.#held = next.value;
        continue;
      }
      const take = Math.min(n - have, this.#held.byteLength);
      parts.push(this.#held.subarray(0, take));
      this.#held = this.#held.subarray(take);
      have += take;
    }
    return parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts);
  }

  /** Fails unless the body has ended. */
  async end(): Promise<void> {
    if (this.#held.byteLength > 0) throw badRequest('bytes after the crate in the publish body');
    const next = await this.#it.next();
    if (next.done !== true) throw badRequest('bytes after the crate in the publish body');
  }
}

/** A decoded `PUT /api/v1/crates/new` body. */
export interface PublishBody {
  /** The JSON metadata, parsed. */
  readonly metadata: unknown;
  /** The `.crate` file. */
  readonly crate: Uint8Array;
}

/** Limits of {@link readPublishBody}. */
export interface PublishLimits {
  readonly maxMetadataBytes: number;
  readonly maxCrateBytes: number;
}

const u32 = (b: Uint8Array): number => Buffer.from(b.buffer, b.byteOffset, 4).readUInt32LE(0);

/**
 * Decodes cargo's publish wire format: a little-endian u32 length, that many bytes of JSON
 * metadata, a u32 length, the `.crate` file — and nothing after. Lengths over the limits are
 * `PAYLOAD_TOO_LARGE` before their bytes are read; a body that ends early or runs on is
 * `BAD_REQUEST`.
 */
export async function readPublishBody(body: ByteSource, limits: PublishLimits): Promise<PublishBody> {
  const reader = new ByteReader(body);
  const jsonLength = u32(await reader.read(4, 'the metadata length'));
  if (jsonLength > limits.maxMetadataBytes) {
    throw new DepotError('PAYLOAD_TOO_LARGE', `publish metadata over ${limits.maxMetadataBytes} bytes`);
  }
  const json = await reader.read(jsonLength, 'the metadata');
  let metadata: unknown;
  try {
    metadata = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw badRequest('publish metadata is not JSON');
  }
  const crateLength = u32(await reader.read(4, 'the crate length'));
  if (crateLength > limits.maxCrateBytes) {
    throw new DepotError('PAYLOAD_TOO_LARGE', `crate file over ${limits.maxCrateBytes} bytes`);
  }
  const crate = await reader.read(crateLength, 'the crate file');
  await reader.end();
  return { metadata, crate };
}
