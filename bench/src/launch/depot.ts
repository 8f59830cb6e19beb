import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverEntry } from './paths.js';
import { freePort, type ManagedProcess, spawnManaged, waitForHttp } from './process.js';

/** A Depot this tool started on loopback. */
export interface DepotInstance {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly dataDir: string;
  readonly storeRoot: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** Options of `startDepot`; everything has a default. */
export interface StartDepotOptions {
  readonly dataDir: string;
  readonly port?: number;
  readonly password?: string;
  readonly entry?: string;
  readonly timeoutMs?: number;
}

/**
 * Writes a TOML config (loopback listener, level KV, a `default` file store) into `dataDir` and
 * starts `node apps/server/dist/cli.js -c FILE`, waiting for `/api/v1/health`.
 */
export async function startDepot(o: StartDepotOptions): Promise<DepotInstance> {
  const entry = o.entry ?? serverEntry();
  if (!existsSync(entry)) {
    throw new Error(`depot server not built: ${entry} (pnpm turbo run build --filter @depot/server...)`);
  }
  mkdirSync(o.dataDir, { recursive: true });
  const port = o.port ?? (await freePort());
  const password = o.password ?? `bench-${randomBytes(6).toString('hex')}`;
  const storeRoot = join(o.dataDir, 'blobs');
  const config = [
    `default_admin_password = ${JSON.stringify(password)}`,
    '',
    '[http]',
    `listen = "127.0.0.1:${port}"`,
    '',
    '[kv_store]',
    'type = "level"',
    `path = ${JSON.stringify(join(o.dataDir, 'kv'))}`,
    '',
    '[[initialization.stores]]',
    'name = "default"',
    'store_type = "file"',
    `root = ${JSON.stringify(storeRoot)}`,
    '',
  ].join('\n');
  const configFile = join(o.dataDir, 'depot.toml');
  writeFileSync(configFile, config);
  const proc = spawnManaged(process.execPath, [entry, '-c', configFile], {
    logFile: join(o.dataDir, 'depot.log'),
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/api/v1/health`, o.timeoutMs ?? 30_000, proc);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { url, user: 'admin', password, dataDir: o.dataDir, storeRoot, process: proc, stop: () => proc.stop() };
}
