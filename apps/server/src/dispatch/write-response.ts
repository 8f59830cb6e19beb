import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { discardBody, type FormatResponse, positionalReadOf } from '@depot/core';
import { sendPositional } from './send-positional.js';

/**
 * Writes a format's response on the node socket: strings and bytes directly, streams through
 * `pipeline` with backpressure (PERF.md: Web streams cost 2–3× on blob bytes), file-backed bodies by
 * position through reused buffers. HEAD never sends (or opens) a body.
 */
export async function writeFormatResponse(res: ServerResponse, response: FormatResponse, head: boolean): Promise<void> {
  res.statusCode = response.status;
  // Stored content is never sniffed into another type, and never runs as a page of this origin (an
  // uploaded `x.html` or SVG opened in a browser gets a sandbox: no scripts, an opaque origin).
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('content-security-policy', 'sandbox');
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  const body = response.body ?? null;
  if (body === null || head || response.status === 204 || response.status === 304) {
    if (body !== null && typeof body === 'object' && !(body instanceof Uint8Array)) await discardBody(body);
    res.end();
    return;
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (!res.hasHeader('content-length')) res.setHeader('content-length', bytes.byteLength);
    res.end(bytes);
    return;
  }
  const positional = positionalReadOf(body);
  if (positional !== undefined) await sendPositional(res, positional);
  else await pipeline(body, res);
}
