import { type Endpoint, send } from '../http/client.js';
import { bodyOf, type Payload } from '../payload/payload.js';

/** The URL path of `path` in raw repository `repo`. */
export function rawPath(repo: string, path: string): string {
  return `/repository/${encodeURIComponent(repo)}/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/** Uploads a payload with PUT (raw format); returns the bytes sent. */
export async function rawPut(ep: Endpoint, urlPath: string, p: Payload): Promise<number> {
  await send(ep, 'PUT', urlPath, {
    body: bodyOf(p),
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(p.size) },
  });
  return p.size;
}

/** Deletes an artifact (204 expected; 404 tolerated when `missingOk`). */
export async function rawDelete(ep: Endpoint, urlPath: string, missingOk = false): Promise<number> {
  await send(ep, 'DELETE', urlPath, { expect: missingOk ? [200, 202, 204, 404] : [200, 202, 204] });
  return 0;
}
