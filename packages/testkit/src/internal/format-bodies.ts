import type { ByteSource, ResponseBody } from '@depot/core';

/** A request body as a test writes it. */
export type HarnessBody = string | Uint8Array | AsyncIterable<Uint8Array>;

const encoder = new TextEncoder();

/** Yields nothing: the body of GET/HEAD/DELETE requests. */
async function* empty(): ByteSource {}

async function* once(bytes: Uint8Array): ByteSource {
  if (bytes.byteLength > 0) yield bytes;
}

/** Turns a test body into the `ByteSource` a format reads. */
export function toByteSource(body: HarnessBody | undefined): ByteSource {
  if (body === undefined) return empty();
  if (typeof body === 'string') return once(encoder.encode(body));
  if (body instanceof Uint8Array) return once(body);
  return body;
}

/** The byte length of a body known up front (what an HTTP client would send as Content-Length). */
export function knownLength(body: HarnessBody | undefined): number | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return encoder.encode(body).byteLength;
  if (body instanceof Uint8Array) return body.byteLength;
  return undefined;
}

/** True when `body` is a stream (not a string, bytes or nothing). */
export function isStream(body: ResponseBody | undefined): body is ByteSource {
  return body !== null && body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array);
}

/** Collects a response body into one Buffer (tests only: the real server streams it). */
export async function collectBody(body: ResponseBody | undefined): Promise<Buffer> {
  if (body === null || body === undefined) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

/** Ends a stream the caller will not read (HEAD), so its producer can release resources. */
export async function discardBody(body: ByteSource): Promise<void> {
  await body[Symbol.asyncIterator]().return?.();
}
