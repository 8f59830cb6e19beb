import type { IncomingMessage } from 'node:http';
import { type ByteSource, DepotError, EMPTY_BODY } from '@depot/core';

export { EMPTY_BODY } from '@depot/core';

/** Methods whose requests never carry a body the formats read. */
const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS']);

const tooLarge = (max: number): DepotError =>
  new DepotError('PAYLOAD_TOO_LARGE', `request body exceeds max_artifact_bytes (${max})`);

/**
 * Checks the declared `Content-Length` against `max` before a byte is read (413 straight away,
 * RELIABILITY §3.8) and returns the body as a stream that fails with `PAYLOAD_TOO_LARGE` as soon
 * as a chunked body passes `max`.
 */
export function limitedBody(req: IncomingMessage, max: number): ByteSource {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > max) throw tooLarge(max);
  if (BODYLESS.has(req.method ?? 'GET') && declared === undefined && req.headers['transfer-encoding'] === undefined) {
    return EMPTY_BODY;
  }
  return {
    async *[Symbol.asyncIterator]() {
      let seen = 0;
      // A consumer that stops early (a size limit passed mid-stream) must not destroy the request:
      // that would take the socket down before the error answer is written. The unread rest is
      // drained by the lingering close of the error path.
      for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>) {
        seen += chunk.byteLength;
        if (seen > max) throw tooLarge(max);
        yield chunk;
      }
    },
  };
}
