import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type DepotProcess, startDepot } from './helpers/depot-process.js';
import { GO_USER, GO_USER_TOML } from './helpers/go-client.js';

let depot: DepotProcess;
const M = 'example.com/bad';
const V = 'v1.0.0';
const auth = { authorization: `Basic ${Buffer.from(`${GO_USER.username}:${GO_USER.password}`).toString('base64')}` };
const url = (path: string): string => `${depot.url}/repository/go/${path}`;

/** Posts an upload built from `parts` (strings are fields, byte arrays files). */
async function post(parts: Record<string, string | Uint8Array>): Promise<{ status: number; body: { code?: string } }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value === 'string') form.set(name, value);
    else form.set(name, new Blob([value]), `${name}.bin`);
  }
  const res = await fetch(url('upload'), { method: 'POST', body: form, headers: auth });
  return { status: res.status, body: (await res.json()) as { code?: string } };
}

const goMod = (module = M): string => `module ${module}\n\ngo 1.19\n`;
/** A zip of `files` named in full (not necessarily under module@version/), to break the rules. */
const raw = (files: Record<string, string>): Uint8Array =>
  zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, new TextEncoder().encode(v)])));

beforeAll(async () => {
  depot = await startDepot({ toml: `${GO_USER_TOML}\n[formats.golang]\nmax_go_mod_bytes = 4096\n` });
  const res = await api(depot).post('/api/v1/repositories', {
    name: 'go',
    repo_type: 'hosted',
    format: 'golang',
    store: 'default',
  });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
}, 120_000);

afterAll(async () => {
  await depot?.stop();
});

describe('Go uploads with bad input: 4xx with a code, nothing stored, the server still serving', () => {
  const P = `${M}@${V}/`;
  const cases: [string, Record<string, string | Uint8Array>, number, string][] = [
    [
      'a ../ path',
      { module: M, version: V, zip: raw({ [`${P}go.mod`]: goMod(), [`${P}../x.go`]: 'x' }) },
      400,
      'BAD_REQUEST',
    ],
    ['a file outside the prefix', { module: M, version: V, zip: raw({ 'x/y.go': 'x' }) }, 400, 'BAD_REQUEST'],
    [
      'case-colliding paths',
      { module: M, version: V, zip: raw({ [`${P}A.go`]: 'a', [`${P}a.go`]: 'b' }) },
      400,
      'BAD_REQUEST',
    ],
    [
      'a go.mod naming another module',
      { module: M, version: V, zip: raw({ [`${P}go.mod`]: goMod('example.com/other') }) },
      400,
      'BAD_REQUEST',
    ],
    [
      'an invalid version',
      { module: M, version: 'v1.0', zip: raw({ [`${M}@v1.0/go.mod`]: goMod() }) },
      400,
      'BAD_REQUEST',
    ],
    [
      'an oversized go.mod',
      { module: M, version: V, zip: raw({ [`${P}go.mod`]: `${goMod()}${'// padding\n'.repeat(500)}` }) },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['no zip', { module: M, version: V }, 400, 'BAD_REQUEST'],
  ];
  it.each(cases)('refuses %s', async (_what, parts, status, code) => {
    const res = await post(parts);
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    const list = await fetch(url(`${M}/@v/list`), { headers: auth });
    expect(list.status).toBe(404);
    expect(((await list.json()) as { code: string }).code).toBe('NOT_FOUND');
  });

  it('still serves a good upload afterwards, and refuses it a second time with 409', async () => {
    const zip = raw({ [`${M}@${V}/go.mod`]: goMod(), [`${M}@${V}/bad.go`]: 'package bad\n' });
    expect((await post({ module: M, version: V, zip })).status).toBe(201);
    const again = await post({ module: M, version: V, zip });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('CONFLICT');
    expect(await (await fetch(url(`${M}/@v/list`), { headers: auth })).text()).toBe(`${V}\n`);
  });
});
