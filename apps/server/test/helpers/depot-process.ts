import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireMoto, type Backend, backendToml, releaseMoto } from './backends.js';
import { CLI_PATH, ensureBuilt, REPO_ROOT } from './build-once.js';

/** A running depot server process, spawned from the built CLI. */
export interface DepotProcess {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Temp dir holding the config (and, on `level-fs`, `kv/` and `blobs/`). */
  readonly dataDir: string;
  /** What the KV and the `default` store run on. */
  readonly backend: Backend;
  readonly adminPassword: string;
  /** Process id of the running server (changes on restart). */
  pid(): number;
  /**
   * Sends `signal` (default SIGTERM) and resolves with the exit code (`null` when killed by a signal);
   * also lets go of the moto server a `dynamodb-s3` depot runs on.
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Stops (SIGTERM) and starts again on the same data dir and port. */
  restart(): Promise<void>;
  /** Everything the process wrote to stdout and stderr so far. */
  logs(): string;
  /** SIGKILL, no waiting. */
  kill(): void;
}

/** Options for {@link startDepot}. */
export interface StartDepotOptions {
  /** Extra TOML appended to the generated config (top-level keys first, then tables). */
  readonly toml?: string;
  /**
   * The KV + `default` store backend (default `level-fs`). `dynamodb-s3` runs on this test file's
   * shared moto server with a table prefix and bucket of its own; `toml` must not set `[kv_store]` then.
   */
  readonly backend?: Backend;
  readonly env?: Record<string, string>;
  /** Leave out the `default` file store (to test a store-less start). */
  readonly noDefaultStore?: boolean;
  /**
   * Configure no `default_admin_password`, so the server generates one (and flags it for change);
   * `adminPassword` is then the one its banner printed.
   */
  readonly generatedAdminPassword?: boolean;
  /**
   * Writes `allow_private_upstreams = true` (default): test upstreams listen on 127.0.0.1, which
   * the product refuses by default. `false` leaves the product default in place.
   */
  readonly privateUpstreams?: boolean;
  /** Health wait in ms (default 30 s). */
  readonly timeoutMs?: number;
  /** Called with the data dir (which holds the config) before the first spawn, e.g. to lay out plugins. */
  readonly beforeSpawn?: (dataDir: string) => void;
}

/** Finds a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const tomlString = (s: string): string => JSON.stringify(s);

// A test that fails before stop() must not leave servers running after its worker exits, and no
// run leaves its data directories behind (set DEPOT_E2E_KEEP=1 to keep them for debugging).
const live = new Set<ChildProcess>();
const dataDirs = new Set<string>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  if (process.env.DEPOT_E2E_KEEP === '1') return;
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

function buildConfig(
  port: number,
  password: string | null,
  extra: string,
  flags: { backendToml: string; privateUpstreams: boolean },
): string {
  return [
    password === null ? '' : `default_admin_password = ${tomlString(password)}`,
    ...(flags.privateUpstreams ? ['allow_private_upstreams = true'] : []),
    '',
    extra,
    '',
    '[http]',
    `listen = "127.0.0.1:${port}"`,
    '',
    flags.backendToml,
    '',
  ].join('\n');
}

/** The backend's `[kv_store]` (unless the test's TOML brings its own) and `default` store (unless left out). */
async function backendConfig(options: StartDepotOptions, dataDir: string): Promise<string> {
  const backend = options.backend ?? 'level-fs';
  const kv = !/^\s*\[kv_store\]/m.test(options.toml ?? '');
  const store = options.noDefaultStore !== true;
  if (backend === 'level-fs') return backendToml(backend, { dataDir, kv, store });
  if (!kv) throw new Error('startDepot: the dynamodb-s3 backend writes [kv_store] itself');
  return backendToml(backend, { dataDir, kv, store, moto: await acquireMoto() });
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`depot exited (${child.exitCode ?? child.signalCode}) before becoming healthy:\n${logs()}`);
    }
    try {
      const res = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`depot did not become healthy in ${timeoutMs} ms:\n${logs()}`);
}

/**
 * Spawns `node apps/server/dist/cli.js -c <tmp config>` (building first when dist is stale) on a
 * free port with a temp data dir, a fixed admin password and a `default` file store, then waits
 * for `GET /api/v1/health`.
 */
export async function startDepot(options: StartDepotOptions = {}): Promise<DepotProcess> {
  ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'depot-e2e-'));
  dataDirs.add(dataDir);
  const port = await freePort();
  let adminPassword = `pw-${randomBytes(9).toString('base64url')}`;
  const generated = options.generatedAdminPassword === true;
  const configPath = join(dataDir, 'depot.toml');
  const backend = options.backend ?? 'level-fs';
  writeFileSync(
    configPath,
    buildConfig(port, generated ? null : adminPassword, options.toml ?? '', {
      backendToml: await backendConfig(options, dataDir),
      privateUpstreams: options.privateUpstreams !== false,
    }),
  );
  // The moto reference backendConfig took for a dynamodb-s3 depot, dropped once on the final stop.
  let holdsMoto = backend === 'dynamodb-s3';
  const letGo = async (): Promise<void> => {
    if (!holdsMoto) return;
    holdsMoto = false;
    await releaseMoto();
  };
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  let child: ChildProcess;

  const spawnChild = async (): Promise<void> => {
    child = spawn(process.execPath, [CLI_PATH, '-c', configPath], {
      cwd: dataDir,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const spawned = child;
    live.add(spawned);
    spawned.once('exit', () => live.delete(spawned));
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    await waitHealthy(url, child, options.timeoutMs ?? 30_000, () => output);
  };

  const stopChild = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    const c = child;
    if (c.exitCode !== null || c.signalCode !== null) return c.exitCode;
    return new Promise((resolve) => {
      c.once('exit', (code) => resolve(code));
      c.kill(signal);
    });
  };

  const stop = async (signal?: NodeJS.Signals): Promise<number | null> => {
    const code = await stopChild(signal);
    await letGo();
    return code;
  };

  try {
    options.beforeSpawn?.(dataDir);
    await spawnChild();
  } catch (err) {
    await letGo();
    throw err;
  }
  if (generated) {
    const printed = /Generated password for user "admin": (\S+)/.exec(output)?.[1];
    if (printed === undefined) throw new Error(`no generated admin password in the output:\n${output}`);
    adminPassword = printed;
  }
  return {
    url,
    port,
    dataDir,
    backend,
    adminPassword,
    stop,
    restart: async () => {
      await stopChild();
      await spawnChild();
    },
    logs: () => output,
    pid: () => child.pid ?? -1,
    kill: () => {
      child.kill('SIGKILL');
    },
  };
}

/** Runs the CLI with `args` to completion (no server expected); for config-error tests. */
export async function runCli(
  args: readonly string[],
  cwd: string = REPO_ROOT,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  ensureBuilt();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export type { ApiClient, ApiRequestOptions, ApiResponse } from './api.js';
export { api, basicAuth } from './api.js';
