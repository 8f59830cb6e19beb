import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/build-once.js';
import { api, basicAuth, runCli, startDepot } from './helpers/depot-process.js';
import { useDepot } from './helpers/use-depot.js';

const EXAMPLE_DIR = join(REPO_ROOT, 'examples/depot-format-hello');
const CORE_DIST = join(REPO_ROOT, 'packages/core/dist');

/** The example plugin and core (whose memory stores the store fixtures wrap) must be built. */
function buildExample(): void {
  execFileSync(
    'flock',
    [
      '/tmp/depot-server-build.lock',
      'pnpm',
      'turbo',
      'run',
      'build',
      '--filter',
      'depot-format-hello...',
      '--filter',
      '@depot/core...',
      '--output-logs=errors-only',
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 },
  );
}

/** Writes `files` (relative path → content) under `dir`. */
function layout(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = join(dir, rel);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, content);
  }
}

/** A package `name` in `dir/node_modules` whose ES module body is `source`. */
function fixturePackage(dir: string, name: string, source: string): void {
  layout(join(dir, 'node_modules', name), {
    'package.json': JSON.stringify({
      name,
      version: '1.0.0',
      type: 'module',
      exports: { '.': { import: './index.js' } },
    }),
    'index.js': source,
  });
}

/** Installs the example like a user would: `node_modules/depot-format-hello` beside depot.toml. */
function installExample(dir: string): void {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(EXAMPLE_DIR, join(dir, 'node_modules', 'depot-format-hello'), 'dir');
}

/** Runs `depot -c depot.toml` in a fresh directory prepared by `prepare`; the server must refuse to start. */
async function refusedStart(toml: string, prepare: (dir: string) => void = () => {}) {
  const dir = mkdtempSync(join(tmpdir(), 'depot-plugins-'));
  prepare(dir);
  const kv = /^\[kv_store\]/m.test(toml) ? [] : ['[kv_store]', `path = ${JSON.stringify(join(dir, 'kv'))}`];
  const config = [toml, '[http]', 'listen = "127.0.0.1:0"', ...kv].join('\n');
  writeFileSync(join(dir, 'depot.toml'), config);
  return runCli(['-c', join(dir, 'depot.toml')], dir);
}

beforeAll(() => buildExample(), 300_000);

describe('a third-party format plugin loaded from [[plugins]]', () => {
  const depot = useDepot({
    beforeSpawn: installExample,
    toml: [
      '[formats.raw]',
      'max_upload_bytes = 1024',
      '[[plugins]]',
      'package = "depot-format-hello"',
      'options = { greeting = "Howdy from config" }',
      '[[initialization.repositories]]',
      'name = "notes"',
      'repo_type = "hosted"',
      'format = "hello"',
      'store = "default"',
      '[[initialization.repositories]]',
      'name = "files"',
      'repo_type = "hosted"',
      'format = "raw"',
      'store = "default"',
    ].join('\n'),
  });

  it('serves the example format over HTTP with the configured greeting', async () => {
    const auth = basicAuth('admin', depot.adminPassword);
    const url = `${depot.url}/repository/notes/greetings/hello.txt`;
    const put = await fetch(url, { method: 'PUT', headers: { authorization: auth }, body: 'hi there\n' });
    expect(put.status).toBe(201);
    expect(await put.json()).toEqual({ path: 'greetings/hello.txt', size: 9 });
    const get = await fetch(url, { headers: { authorization: auth } });
    expect(get.status).toBe(200);
    expect(get.headers.get('x-greeting')).toBe('Howdy from config');
    expect(await get.text()).toBe('hi there\n');
    // The server's generic parts apply to it: the artifacts API lists what it stored.
    const listed = await api(depot).get('/api/v1/repositories/notes/artifacts');
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ dirs: [{ name: 'greetings', artifact_count: 1, total_bytes: 9 }] });
    const anonymous = await fetch(url, { method: 'PUT', body: 'nope' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="Depot"');
    const del = await fetch(url, { method: 'DELETE', headers: { authorization: auth } });
    expect(del.status).toBe(204);
    const gone = await fetch(url, { headers: { authorization: auth } });
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('hands [formats.raw] options to the built-in raw plugin (max_upload_bytes)', async () => {
    const auth = basicAuth('admin', depot.adminPassword);
    const small = await fetch(`${depot.url}/repository/files/small.bin`, {
      method: 'PUT',
      headers: { authorization: auth },
      body: new Uint8Array(1024),
    });
    expect(small.status).toBe(201);
    const big = await fetch(`${depot.url}/repository/files/big.bin`, {
      method: 'PUT',
      headers: { authorization: auth },
      body: new Uint8Array(1025),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    // Nothing half-written: the refused path does not exist, and the server still serves.
    const after = await fetch(`${depot.url}/repository/files/big.bin`, { headers: { authorization: auth } });
    expect(after.status).toBe(404);
    expect((await fetch(`${depot.url}/api/v1/health`)).status).toBe(200);
  });
});

describe('stores chosen by type through plugin manifests', () => {
  it('runs on a KV store and a blob store that come from [[plugins]], with no server change', async () => {
    const depot = await startDepot({
      noDefaultStore: true,
      beforeSpawn: (dir) => {
        // A path-form plugin beside the config, and a package-form one in node_modules.
        layout(dir, {
          'plugins/kv-memory.mjs': [
            `import { memoryKvStore } from ${JSON.stringify(join(CORE_DIST, 'index.js'))};`,
            'export const depotPlugin = { kind: "kv-store", storeType: "memory", apiVersion: 1,',
            '  async open(options) {',
            '    if (Object.keys(options).length > 0) throw Object.assign(new Error("takes no options"), { code: "BAD_REQUEST" });',
            '    return memoryKvStore();',
            '  } };',
          ].join('\n'),
        });
        fixturePackage(
          dir,
          'depot-blob-memory',
          [
            `import { memoryBlobStore } from ${JSON.stringify(join(CORE_DIST, 'index.js'))};`,
            'export const depotPlugin = { kind: "blob-store", storeType: "memory", apiVersion: 1,',
            '  async create() { return memoryBlobStore(); } };',
          ].join('\n'),
        );
      },
      toml: [
        '[kv_store]',
        'type = "memory"',
        '[[plugins]]',
        'package = "./plugins/kv-memory.mjs"',
        '[[plugins]]',
        'package = "depot-blob-memory"',
        '[[initialization.stores]]',
        'name = "mem"',
        'store_type = "memory"',
        '[[initialization.repositories]]',
        'name = "files"',
        'repo_type = "hosted"',
        'format = "raw"',
        'store = "mem"',
      ].join('\n'),
    });
    try {
      const auth = basicAuth('admin', depot.adminPassword);
      const put = await fetch(`${depot.url}/repository/files/a.txt`, {
        method: 'PUT',
        headers: { authorization: auth },
        body: 'in memory\n',
      });
      expect(put.status).toBe(201);
      const get = await fetch(`${depot.url}/repository/files/a.txt`, { headers: { authorization: auth } });
      expect(await get.text()).toBe('in memory\n');
      const stores = await api(depot).get<{ name: string; store_type: string }[]>('/api/v1/stores');
      expect(JSON.stringify(stores.body)).toContain('"store_type":"memory"');
      // A store record of a type no plugin serves is a 400 naming it, not a crash.
      const bad = await api(depot).post<{ error: { code: string } }>('/api/v1/stores', {
        name: 'nope',
        store_type: 'tape',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('BAD_REQUEST');
      // The level store was never opened: no kv directory was created.
      expect(execFileSync('ls', [depot.dataDir]).toString()).not.toMatch(/^kv$/m);
    } finally {
      await depot.stop();
    }
  });

  it('accepts [kv_store] without type (level) and with sync = false', async () => {
    // No `type`: the level plugin; `path` is relative to the working directory (the data dir here).
    const depot = await startDepot({ toml: ['[kv_store]', 'sync = false', 'path = "kv"'].join('\n') });
    try {
      expect(depot.logs()).toMatch(/"sync":false/);
      expect((await fetch(`${depot.url}/api/v1/health`)).status).toBe(200);
    } finally {
      await depot.stop();
    }
  });
});

describe('startup refuses a broken plugin configuration (exit 2, naming the problem)', () => {
  it('an unknown package', async () => {
    const res = await refusedStart('[[plugins]]\npackage = "@acme/depot-format-nothing"\n');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('plugins[0] (package "@acme/depot-format-nothing"): not found');
  });

  it('a plugin built for another API version', async () => {
    const res = await refusedStart('[[plugins]]\npackage = "depot-format-future"\n', (dir) =>
      fixturePackage(
        dir,
        'depot-format-future',
        'export const depotPlugin = { kind: "format", name: "future", apiVersion: 2, create() { throw new Error("unreachable"); } };',
      ),
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('package "depot-format-future"');
    expect(res.stderr).toContain('plugin API version 2, this depot supports version 1');
  });

  it('bad options for the example plugin, naming the key', async () => {
    const res = await refusedStart(
      '[[plugins]]\npackage = "depot-format-hello"\noptions = { greeting = 42 }\n',
      installExample,
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('plugins[0].options.greeting: format "hello" refused its options');
  });

  it('an unknown key in [formats.raw] and a format that is not installed', async () => {
    const raw = await refusedStart('[formats.raw]\nmax_upload_bytez = 1\n');
    expect(raw.code).toBe(2);
    expect(raw.stderr).toContain('formats.raw.max_upload_bytez: format "raw" refused its options');
    const npm = await refusedStart('[formats.npm]\nmax_publish_bytes = -1\n');
    expect(npm.code).toBe(2);
    expect(npm.stderr).toContain('formats.npm.max_publish_bytes');
    const missing = await refusedStart('[formats.maven]\nx = 1\n');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('formats.maven: no format plugin "maven" is installed');
  });

  it('a plugin whose name clashes with a built-in, a module that throws, a wrong kind', async () => {
    const clash = await refusedStart('[[plugins]]\npackage = "depot-format-raw2"\n', (dir) =>
      fixturePackage(
        dir,
        'depot-format-raw2',
        'export const depotPlugin = { kind: "format", name: "raw", apiVersion: 1, create() { return {}; } };',
      ),
    );
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('format "raw" is already provided (built in)');
    const broken = await refusedStart('[[plugins]]\npackage = "depot-broken"\n', (dir) =>
      fixturePackage(dir, 'depot-broken', 'throw new Error("boom at import");'),
    );
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('plugins[0] (package "depot-broken"): could not be loaded: boom at import');
    const kind = await refusedStart('[[plugins]]\npackage = "depot-odd"\n', (dir) =>
      fixturePackage(dir, 'depot-odd', 'export const depotPlugin = { kind: "theme", apiVersion: 1 };'),
    );
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain('unknown kind "theme"');
  });

  it('an unknown [kv_store] type, and a level option of the wrong type', async () => {
    const type = await refusedStart('[kv_store]\ntype = "cassandra"\n');
    expect(type.code).toBe(2);
    expect(type.stderr).toContain(
      'kv_store.type: no KV store plugin "cassandra" is installed (installed: level, dynamodb)',
    );
    // A built-in type still validates its own keys: dynamodb needs a table.
    const table = await refusedStart('[kv_store]\ntype = "dynamodb"\nendpoint = "http://127.0.0.1:9"\n');
    expect(table.code).toBe(2);
    expect(table.stderr).toContain('kv_store.table:');
    const sync = await refusedStart('[kv_store]\nsync = "yes"\n');
    expect(sync.code).toBe(2);
    expect(sync.stderr).toContain('kv_store.sync:');
  });
});
