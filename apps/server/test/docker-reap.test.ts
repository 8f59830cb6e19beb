import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ByteSource, type MountRequest, noopLogger, type Principal } from '@depot/core';
import { dockerFormat, depotPlugin as dockerPlugin, UPLOAD_IDLE_MS } from '@depot/format-docker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/config-schema.js';
import { INSTALLED_PLUGINS } from '../src/plugins/installed.js';
import { type OpenedServices, openServices } from '../src/runtime/open-services.js';
import { formatWorkers } from '../src/workers/format-workers.js';
import { startDepot } from './helpers/depot-process.js';

const ADMIN: Principal = { username: 'admin', anonymous: false, admin: true, can: () => true };
const bytes = (s: string): ByteSource => ({
  async *[Symbol.asyncIterator]() {
    yield new TextEncoder().encode(s);
  },
});

const REPO_TOML = `
[[initialization.repositories]]
name = "reap"
repo_type = "hosted"
format = "docker"
store = "default"
`;

describe('docker upload sessions are reaped', () => {
  let opened: OpenedServices;
  let clock = Date.now();

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depot-reap-'));
    const config = configSchema.parse({
      kv_store: { type: 'level', path: join(dir, 'kv') },
      initialization: {
        stores: [{ name: 'default', store_type: 'file', root: join(dir, 'blobs') }],
        repositories: [{ name: 'reap', repo_type: 'hosted', format: 'docker', store: 'default' }],
      },
    });
    // The installed plugins, with the Docker format on a clock the test moves.
    const docker = { ...dockerPlugin, create: () => dockerFormat({ now: () => clock }) };
    const formats = INSTALLED_PLUGINS.formats.map((m) => (m.name === 'docker' ? docker : m));
    opened = await openServices(config, { ...INSTALLED_PLUGINS, formats }, noopLogger, '0.0.0');
  });
  afterAll(async () => {
    await opened?.services.formats.close();
    await opened?.services.storeRegistry.close();
    await opened?.kv.close();
  });

  /** Drives the real Docker runtime as the dispatcher would. */
  async function mount(method: string, rawPath: string, body = ''): Promise<{ status: number; location: string }> {
    const runtime = opened.services.formats.get('docker')?.runtime;
    const req: MountRequest = {
      method,
      rawPath,
      query: new URLSearchParams(),
      headers: body === '' ? {} : { 'content-type': 'application/octet-stream' },
      body: bytes(body),
      baseUrl: 'http://depot.test',
      principal: ADMIN,
      engine: opened.services.engine.as(ADMIN),
      signal: new AbortController().signal,
    };
    const res = await runtime?.handleMount?.(req);
    const headers = Object.entries(res?.headers ?? {});
    const location = headers.find(([name]) => name.toLowerCase() === 'location')?.[1] ?? '';
    return { status: res?.status ?? 0, location };
  }

  const sessions = async (): Promise<number> => {
    let n = 0;
    // Sessions live in the Docker format's own namespace, by repository.
    n += (await opened.kv.list({ prefix: 'fmt/docker/up/reap/' })).entries.length;
    return n;
  };

  it("by the Docker format's worker, run by the server, once idle for UPLOAD_IDLE_MS, chunks included", async () => {
    const started = await mount('POST', '/v2/reap/img/blobs/uploads/');
    expect(started.status).toBe(202);
    const uploadPath = new URL(started.location, 'http://depot.test').pathname;
    expect((await mount('PATCH', uploadPath, 'first chunk')).status).toBe(202);
    const uuid = uploadPath.split('/').pop() ?? '';
    expect(await opened.services.engine.stat('reap', `_uploads/${uuid}/000000`)).not.toBeNull();
    expect(await sessions()).toBe(1);

    const workers = formatWorkers(opened.services.formats, noopLogger);
    expect(workers.map((w) => w.name)).toContain('docker:docker-upload-reaper');
    const worker = workers.find((w) => w.name === 'docker:docker-upload-reaper');
    let controller = new AbortController();
    // A fresh session survives a pass…
    let running = worker?.run(controller.signal);
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(await sessions()).toBe(1);
      controller.abort();
      await running;
      // …and goes on the first pass after an hour of idleness.
      clock += UPLOAD_IDLE_MS;
      controller = new AbortController();
      running = worker?.run(controller.signal);
      const deadline = Date.now() + 5_000;
      while ((await sessions()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await sessions()).toBe(0);
      expect(await opened.services.engine.stat('reap', `_uploads/${uuid}/000000`)).toBeNull();
      await expect(mount('PATCH', uploadPath, 'late chunk')).rejects.toMatchObject({
        code: 'NOT_FOUND',
        details: { oci: 'BLOB_UPLOAD_UNKNOWN' },
      });
    } finally {
      controller.abort();
      await running;
    }
  });
});

describe('docker upload sessions at startup (single-node KV)', () => {
  it('are all reaped when the depot restarts', async () => {
    const depot = await startDepot({ toml: REPO_TOML });
    try {
      const authorization = `Basic ${Buffer.from(`admin:${depot.adminPassword}`).toString('base64')}`;
      const started = await fetch(`${depot.url}/v2/reap/img/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization },
      });
      expect(started.status).toBe(202);
      const location = new URL(started.headers.get('location') ?? '', depot.url).toString();
      const patch = () =>
        fetch(location, {
          method: 'PATCH',
          headers: { authorization, 'content-type': 'application/octet-stream' },
          body: 'chunk',
        });
      expect((await patch()).status).toBe(202);
      await depot.restart();
      const after = await patch();
      expect(after.status).toBe(404);
      expect(((await after.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe('BLOB_UPLOAD_UNKNOWN');
      expect(depot.logs()).toContain('stale upload sessions removed');
    } finally {
      await depot.stop();
    }
  }, 60_000);
});
