import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type DepotProcess, freePort, startDepot } from './helpers/depot-process.js';
import {
  GO_USER,
  GO_USER_TOML,
  type GoSandbox,
  goSandbox,
  moduleZip,
  requireGo,
  uploadModule,
} from './helpers/go-client.js';

const PSEUDO = 'v0.0.0-20240101120000-abcdefabcdef';
const SUMDB = 'sum.example.test';

let a: DepotProcess;
let b: DepotProcess;
let sandbox: GoSandbox;
let sumdb: Server;
let sumdbUrl: string;
const sumdbHits: string[] = [];

const repoUrl = (d: DepotProcess, name: string): string => `${d.url}/repository/${name}`;
const goMod = (module: string, extra = ''): string => `module ${module}\n\ngo 1.19\n${extra}`;

/** The modules the tests publish: lib (v1, a retracted v1.1.0, and /v2), util requiring lib, a pseudo-version. */
const MODULES: { module: string; version: string; files: Record<string, string> }[] = [
  {
    module: 'example.com/lib',
    version: 'v1.0.0',
    files: { 'go.mod': goMod('example.com/lib'), 'lib.go': 'package lib\n\nfunc Name() string { return "lib1" }\n' },
  },
  {
    module: 'example.com/lib',
    version: 'v1.1.0',
    files: {
      'go.mod': goMod('example.com/lib', '\nretract v1.1.0 // published by mistake\n'),
      'lib.go': 'package lib\n\nfunc Name() string { return "lib1.1" }\n',
    },
  },
  {
    module: 'example.com/lib/v2',
    version: 'v2.0.0',
    files: { 'go.mod': goMod('example.com/lib/v2'), 'lib.go': 'package lib\n\nfunc Name() string { return "lib2" }\n' },
  },
  {
    module: 'example.com/util',
    version: 'v1.0.0',
    files: {
      'go.mod': goMod('example.com/util', '\nrequire example.com/lib v1.0.0\n'),
      'util.go': 'package util\n\nimport "example.com/lib"\n\nfunc Hello() string { return "util+" + lib.Name() }\n',
    },
  },
  {
    module: 'example.com/pseudo',
    version: PSEUDO,
    files: { 'go.mod': goMod('example.com/pseudo'), 'p.go': 'package pseudo\n\nconst P = "pseudo"\n' },
  },
];

/** Writes a program importing util, lib/v2 and the pseudo-version module (and `extra` when asked). */
function writeApp(name: string, withExtra = false): string {
  const dir = join(sandbox.root, name);
  mkdirSync(dir, { recursive: true });
  const requires = [
    'example.com/util v1.0.0',
    'example.com/lib/v2 v2.0.0',
    `example.com/pseudo ${PSEUDO}`,
    ...(withExtra ? ['example.com/extra v1.0.0'] : []),
  ];
  writeFileSync(join(dir, 'go.mod'), goMod('example.com/app', `\nrequire (\n\t${requires.join('\n\t')}\n)\n`));
  writeFileSync(
    join(dir, 'main.go'),
    `package main\n\nimport (\n\t"fmt"\n\n${withExtra ? '\t"example.com/extra"\n' : ''}\tlibv2 "example.com/lib/v2"\n\t"example.com/pseudo"\n\t"example.com/util"\n)\n\nfunc main() {\n\tfmt.Println(util.Hello(), libv2.Name(), pseudo.P${withExtra ? ', extra.E' : ''})\n}\n`,
  );
  return dir;
}

async function buildAndRun(dir: string, proxy: string): Promise<string> {
  await sandbox.go(dir, proxy, ['mod', 'download', 'all']);
  await sandbox.go(dir, proxy, ['build', '-o', 'app', '.']);
  return (await promisify(execFile)(join(dir, 'app'))).stdout.trim();
}

beforeAll(async () => {
  await requireGo();
  sandbox = goSandbox(mkdtempSync(join(tmpdir(), 'depot-go-')));
  const port = await freePort();
  sumdbUrl = `http://127.0.0.1:${port}`;
  // A stand-in checksum database: fixed answers, every request counted.
  sumdb = createServer((req, res) => {
    sumdbHits.push(req.url ?? '');
    if (req.url === '/latest') res.end('go.sum database tree\n1\nhash\n');
    else if (req.url?.startsWith('/lookup/')) res.end(`1\n${req.url.slice('/lookup/'.length)} h1:stand-in=\n`);
    else if (req.url === '/tile/8/0/000') res.end(Buffer.alloc(32, 7));
    else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => sumdb.listen(port, '127.0.0.1', resolve));

  a = await startDepot({ toml: GO_USER_TOML });
  b = await startDepot({ toml: GO_USER_TOML });
  const create = async (d: DepotProcess, body: Record<string, unknown>) => {
    const res = await api(d).post('/api/v1/repositories', { format: 'golang', store: 'default', ...body });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  };
  // The go command sends credentials over https only: anonymous reads (the built-in read-only role) on plain http.
  for (const d of [a, b]) {
    const res = await api(d).put('/api/v1/users/anonymous', { roles: ['read-only'] });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  }
  await create(a, { name: 'local', repo_type: 'hosted' });
  await create(b, {
    name: 'from-a',
    repo_type: 'cache',
    upstream_url: repoUrl(a, 'local'),
    cache_ttl_secs: 1,
    upstream_auth: GO_USER,
    format_options: { sumdb_url: sumdbUrl, sumdb_name: SUMDB },
  });
  await create(b, { name: 'extra', repo_type: 'hosted' });
  await create(b, { name: 'all', repo_type: 'proxy', members: ['extra', 'from-a'], write_member: 'extra' });
  for (const m of MODULES) {
    const res = await uploadModule(repoUrl(a, 'local'), m.module, m.version, moduleZip(m.module, m.version, m.files));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
}, 180_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  if (sumdb?.listening) await new Promise((r) => sumdb.close(r));
  sandbox?.dispose();
});

describe('Go modules through depot with the real go command', () => {
  it('hosted: go mod download and go build; list, latest skips the retracted version; pseudo-version', async () => {
    const proxy = repoUrl(a, 'local');
    const dir = writeApp('hosted-app');
    expect(await buildAndRun(dir, proxy)).toBe('util+lib1 lib2 pseudo');
    expect((await sandbox.go(dir, proxy, ['list', '-m', '-versions', 'example.com/lib'])).trim()).toBe(
      'example.com/lib v1.0.0',
    );
    expect((await sandbox.go(dir, proxy, ['list', '-m', '-retracted', '-versions', 'example.com/lib'])).trim()).toBe(
      'example.com/lib v1.0.0 v1.1.0',
    );
    expect((await sandbox.go(dir, proxy, ['list', '-m', 'example.com/lib@latest'])).trim()).toBe(
      'example.com/lib v1.0.0',
    );
    const pseudo = JSON.parse(
      await sandbox.go(dir, proxy, ['mod', 'download', '-json', `example.com/pseudo@${PSEUDO}`]),
    );
    expect(pseudo).toMatchObject({ Path: 'example.com/pseudo', Version: PSEUDO });
    // An unknown module is a 404, so a GOPROXY list falls through to the next entry.
    const res = await fetch(`${repoUrl(a, 'local')}/example.com/nope/@v/list`, {
      headers: { authorization: `Basic ${Buffer.from(`${GO_USER.username}:${GO_USER.password}`).toString('base64')}` },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('cache of another depot: builds, then keeps building from the cache once the upstream is stopped', async () => {
    const proxy = repoUrl(b, 'from-a');
    const cacheUrl = repoUrl(b, 'from-a');
    sandbox.clearModCache();
    const dir = writeApp('cache-app');
    expect(await buildAndRun(dir, proxy)).toBe('util+lib1 lib2 pseudo');
    // The sumdb lookups and tiles the go command would verify against pass through (and are kept).
    const auth = {
      authorization: `Basic ${Buffer.from(`${GO_USER.username}:${GO_USER.password}`).toString('base64')}`,
    };
    const sum = (p: string) => fetch(`${cacheUrl}/sumdb/${SUMDB}/${p}`, { headers: auth });
    expect((await sum('supported')).status).toBe(200);
    const lookup = await sum('lookup/example.com/lib@v1.0.0');
    expect(lookup.status).toBe(200);
    expect(await lookup.text()).toContain('example.com/lib@v1.0.0 h1:stand-in=');
    expect(Buffer.from(await (await sum('tile/8/0/000')).arrayBuffer())).toEqual(Buffer.alloc(32, 7));
    expect((await sum('latest')).status).toBe(200);
    expect((await fetch(`${repoUrl(a, 'local')}/sumdb/${SUMDB}/supported`, { headers: auth })).status).toBe(404);
    expect((await sandbox.go(dir, proxy, ['list', '-m', '-retracted', '-versions', 'example.com/lib'])).trim()).toBe(
      'example.com/lib v1.0.0 v1.1.0',
    );

    await a.stop();
    await new Promise((r) => sumdb.close(r));
    await new Promise((r) => setTimeout(r, 1_200)); // past cache_ttl_secs: list is revalidated, fails, served stale
    sandbox.clearModCache();
    const again = writeApp('cache-app-2');
    expect(await buildAndRun(again, proxy)).toBe('util+lib1 lib2 pseudo');
    expect((await sandbox.go(again, proxy, ['list', '-m', '-retracted', '-versions', 'example.com/lib'])).trim()).toBe(
      'example.com/lib v1.0.0 v1.1.0',
    );
    const hits = sumdbHits.length;
    expect((await sum('lookup/example.com/lib@v1.0.0')).status).toBe(200);
    expect((await sum('tile/8/0/000')).status).toBe(200);
    expect(sumdbHits.length).toBe(hits);
  });

  it('proxy: merged list, files from the first member that has them, uploads to the write member', async () => {
    const proxy = repoUrl(b, 'all');
    const extra = moduleZip('example.com/extra', 'v1.0.0', {
      'go.mod': goMod('example.com/extra'),
      'e.go': 'package extra\n\nconst E = "extra"\n',
    });
    expect((await uploadModule(repoUrl(b, 'all'), 'example.com/extra', 'v1.0.0', extra)).status).toBe(201);
    const lib3 = moduleZip('example.com/lib', 'v1.3.0', {
      'go.mod': goMod('example.com/lib'),
      'lib.go': 'package lib\n\nfunc Name() string { return "lib1.3" }\n',
    });
    expect((await uploadModule(repoUrl(b, 'all'), 'example.com/lib', 'v1.3.0', lib3)).status).toBe(201);
    sandbox.clearModCache();
    const dir = writeApp('proxy-app', true);
    expect(await buildAndRun(dir, proxy)).toBe('util+lib1 lib2 pseudo extra');
    expect((await sandbox.go(dir, proxy, ['list', '-m', '-retracted', '-versions', 'example.com/lib'])).trim()).toBe(
      'example.com/lib v1.0.0 v1.1.0 v1.3.0',
    );
    expect((await sandbox.go(dir, proxy, ['list', '-m', 'example.com/lib@latest'])).trim()).toBe(
      'example.com/lib v1.3.0',
    );
  });
});
