import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tgz } from './helpers/tarball.js';
import { useDepot } from './helpers/use-depot.js';

const MiB = 1024 * 1024;
const PARALLEL = 10;
const TARBALL_BYTES = 40 * MiB;

/** A publish body for big@{version} whose tarball is about 40 MB (stored, not compressed: random bytes). */
function publishBody(version: string, payload: Buffer): string {
  const manifest = { name: 'big', version };
  const tarball = tgz({ 'package/package.json': JSON.stringify(manifest), 'package/blob.bin': payload }, 0);
  return JSON.stringify({
    _id: 'big',
    name: 'big',
    'dist-tags': { latest: version },
    versions: {
      [version]: {
        ...manifest,
        _id: `big@${version}`,
        dist: {
          integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
          shasum: createHash('sha1').update(tarball).digest('hex'),
          tarball: `http://x/big/-/big-${version}.tgz`,
        },
      },
    },
    _attachments: {
      [`big-${version}.tgz`]: {
        content_type: 'application/octet-stream',
        data: tarball.toString('base64'),
        length: tarball.byteLength,
      },
    },
  });
}

/** The peak resident set of a process so far, in MiB (Linux `VmHWM`). */
function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? Number.NaN) / 1024;
}

let authorization: string;
let bodies: string[];
// Built before the server starts (hooks run in order): building outlasts its keep-alive, and a
// pooled socket closed by the server under the first PUT would fail the request.
beforeAll(() => {
  const payload = randomBytes(TARBALL_BYTES);
  bodies = Array.from({ length: PARALLEL }, (_, i) => publishBody(`1.0.${i}`, payload));
});
const depot = useDepot();
beforeAll(async () => {
  const res = await depot.client.post('/api/v1/repositories', {
    name: 'npm-big',
    repo_type: 'hosted',
    format: 'npm',
    store: 'default',
  });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  // A bearer token, as npm sends: ten parallel password checks would meet the login rate limit.
  const login = await fetch(`${depot.url}/repository/npm-big/-/user/org.couchdb.user:admin`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'admin', password: depot.adminPassword }),
  });
  expect(login.status).toBe(201);
  authorization = `Bearer ${((await login.json()) as { token: string }).token}`;
}, 120_000);

describe('npm publish memory is bounded', () => {
  it(`${PARALLEL} parallel 40 MB publishes: the excess is answered 429 with Retry-After, all land on retry, RSS stays bounded`, async () => {
    const before = peakRssMiB(depot.pid());
    // Like npm, a publish whose connection broke (a reused keep-alive socket the server had just
    // closed, under load) is sent again; answers are what the test judges.
    const send = async (body: string, tries = 3): Promise<Response> => {
      try {
        return await fetch(`${depot.url}/repository/npm-big/big`, {
          method: 'PUT',
          headers: { authorization, 'content-type': 'application/json' },
          body,
        });
      } catch (err) {
        if (tries > 1) return send(body, tries - 1);
        throw new Error(`publish failed: ${String((err as Error & { cause?: unknown }).cause ?? err)}`);
      }
    };
    const first = await Promise.all(bodies.map((b) => send(b)));
    const statuses = first.map((r) => r.status);
    const limited = first.filter((r) => r.status === 429);
    expect(
      statuses.every((s) => s === 201 || s === 429),
      String(statuses),
    ).toBe(true);
    expect(limited.length).toBeGreaterThan(0);
    for (const res of limited) {
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await res.json()) as { code: string }).code).toBe('RATE_LIMITED');
    }
    for (const res of first) if (res.status !== 429) await res.arrayBuffer();
    // Retrying what was refused lands every version.
    let pending = bodies.filter((_, i) => statuses[i] === 429);
    for (let round = 0; pending.length > 0 && round < 20; round++) {
      const again = await Promise.all(pending.map((b) => send(b)));
      pending = pending.filter((_, i) => again[i]?.status === 429);
      for (const res of again) await res.arrayBuffer();
    }
    expect(pending).toEqual([]);
    const doc = (await (
      await fetch(`${depot.url}/repository/npm-big/big`, {
        headers: { authorization },
      })
    ).json()) as { versions: Record<string, unknown> };
    expect(Object.keys(doc.versions)).toHaveLength(PARALLEL);
    const peak = peakRssMiB(depot.pid());
    console.log(`depot peak RSS: ${before.toFixed(0)} MiB before, ${peak.toFixed(0)} MiB after ${PARALLEL} x 40 MB`);
    // Unbounded, 10 such publishes at once took the server to about 1.7 GiB; 2 at a time stay far under.
    expect(peak).toBeLessThan(700);
  }, 300_000);
});
