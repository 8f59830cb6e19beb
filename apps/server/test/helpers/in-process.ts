import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noopLogger } from '@depot/core';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { createDepotServer } from '../../src/dispatch/node-server.js';
import { createApp } from '../../src/http/app.js';
import type { AppEnv } from '../../src/http/env.js';
import { INSTALLED_PLUGINS } from '../../src/plugins/installed.js';
import { openServices } from '../../src/runtime/open-services.js';
import type { DepotServices } from '../../src/runtime/services.js';
import { type ApiClient, api } from './api.js';
import { backendToml } from './backends.js';

/** The server's services and hono app in the test's own process, on a temp LevelDB + file store. */
export interface InProcessDepot {
  readonly app: OpenAPIHono<AppEnv>;
  readonly services: DepotServices;
  /** Temp dir holding `kv/` and `blobs/`, removed by `close()`. */
  readonly dataDir: string;
  readonly adminPassword: string;
  /** An admin client whose requests go straight to `app.request()` (no socket). */
  readonly client: ApiClient;
  /**
   * Serves the app and the artifact dispatcher (`/repository/…`, `/v2/…`, which hono does not see)
   * on a loopback port, as the CLI does; resolves with `http://127.0.0.1:PORT`.
   */
  listen(): Promise<string>;
  /** Stops the listener (if any), closes formats, stores and the KV, and removes the data dir. */
  close(): Promise<void>;
}

/** Options for {@link inProcessDepot}. */
export interface InProcessOptions {
  /** Extra TOML (top-level keys first, then tables) before the generated KV and `default` store. */
  readonly toml?: string;
  /** Runtime settings applied (`PATCH /api/v1/settings`) once the services are open. */
  readonly settings?: Record<string, unknown>;
  readonly adminPassword?: string;
}

/** Admin password of an in-process depot unless the options name one. */
const DEFAULT_ADMIN_PASSWORD = 'in-process-admin-password';

/** Base URL of in-process requests (the host is never resolved). */
const IN_PROCESS_URL = 'http://depot.in-process';

/**
 * Opens the services exactly as `depot` does at startup (installed plugins, `[initialization]`,
 * auth bootstrap) and builds the admin app over them, without spawning a process: admin-API tests
 * call `client` (`app.request()` underneath) and skip the process start and the network.
 */
export async function inProcessDepot(options: InProcessOptions = {}): Promise<InProcessDepot> {
  const dataDir = mkdtempSync(join(tmpdir(), 'depot-inproc-'));
  const adminPassword = options.adminPassword ?? DEFAULT_ADMIN_PASSWORD;
  const config = parseConfig(
    [
      `default_admin_password = ${JSON.stringify(adminPassword)}`,
      options.toml ?? '',
      backendToml('level-fs', { dataDir, kv: true, store: true }),
    ].join('\n'),
    'in-process',
  );
  const { services, kv } = await openServices(config, INSTALLED_PLUGINS, noopLogger, 'test');
  const app = createApp(services);
  const client = api({ url: IN_PROCESS_URL, adminPassword }, (url, init) => Promise.resolve(app.request(url, init)));
  if (options.settings !== undefined) {
    const res = await client.patch('/api/v1/settings', options.settings);
    if (res.status !== 200) throw new Error(`settings refused: ${JSON.stringify(res.body)}`);
  }
  let server: Server | undefined;
  return {
    app,
    services,
    dataDir,
    adminPassword,
    client,
    async listen() {
      server ??= createDepotServer(services, app);
      const listening = server;
      if (!listening.listening) await new Promise<void>((r) => listening.listen(0, '127.0.0.1', r));
      const addr = listening.address();
      return `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
    },
    async close() {
      const listening = server;
      if (listening?.listening) {
        // An event stream a test left open would hold close() forever.
        const closed = new Promise((r) => listening.close(r));
        listening.closeAllConnections();
        await closed;
      }
      await services.formats.close();
      await services.storeRegistry.close();
      await kv.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Registers `beforeAll` (open an {@link inProcessDepot}) and `afterAll` (close it) in the current
 * suite and returns a handle valid inside its tests, like `useDepot` for a spawned server.
 */
export function useInProcessDepot(options: InProcessOptions = {}): InProcessDepot {
  let current: InProcessDepot | undefined;
  const running = (): InProcessDepot => {
    if (current === undefined) throw new Error('no in-process depot: use the handle inside the suite that opened it');
    return current;
  };
  beforeAll(async () => {
    current = await inProcessDepot(options);
  });
  afterAll(async () => {
    const closing = current;
    current = undefined;
    await closing?.close();
  });
  return {
    get app() {
      return running().app;
    },
    get services() {
      return running().services;
    },
    get dataDir() {
      return running().dataDir;
    },
    get adminPassword() {
      return running().adminPassword;
    },
    client: api({ url: IN_PROCESS_URL, adminPassword: options.adminPassword ?? DEFAULT_ADMIN_PASSWORD }, (url, init) =>
      Promise.resolve(running().app.request(url, init)),
    ),
    listen: () => running().listen(),
    close: () => running().close(),
  };
}
