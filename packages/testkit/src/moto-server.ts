import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'vitest';

/**
 * moto server (S3 + DynamoDB on one port) for the cloud store tests. `scripts/install-test-deps.sh`
 * unpacks it into `.test-deps/moto/root` (`DEPOT_TEST_DEPS` overrides `.test-deps`).
 */
const repoRoot = join(import.meta.dirname, '..', '..', '..');

/** Where moto's Python packages live. */
export function motoPythonPath(): string {
  return join(
    process.env.DEPOT_TEST_DEPS ?? join(repoRoot, '.test-deps'),
    'moto',
    'root',
    'usr',
    'lib',
    'python3',
    'dist-packages',
  );
}

/** Why moto cannot run here, or `null` when it can. */
export function motoUnavailable(): string | null {
  if (!existsSync(join(motoPythonPath(), 'moto', 'server.py'))) {
    return `moto server is not installed under ${motoPythonPath()} (run scripts/install-test-deps.sh as root)`;
  }
  if (!existsSync('/usr/bin/python3')) return 'python3 is not installed';
  return null;
}

/** A running moto server on a loopback port. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`, for both S3 (path-style) and DynamoDB clients. */
  readonly endpoint: string;
  /** Static credentials moto accepts. */
  readonly credentials: { readonly access_key_id: string; readonly secret_access_key: string };
  /** Drops every bucket and table. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

// A test file that fails before `stop()` must not leave moto running after its worker exits.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(endpoint: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto server exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`moto server did not answer within 30 s: ${log()}`);
}

/**
 * moto's own `moto.server` serves each request on a thread and checks a DynamoDB condition and
 * writes the item in two steps, so two concurrent put-if-absent writers can both win, which real
 * DynamoDB never allows. This runs the same application with DynamoDB requests (those with an
 * `X-Amz-Target: DynamoDB_…` header) serialized by one lock, so conditional writes are atomic as
 * in DynamoDB, while S3 requests stay concurrent (a streamed PUT may wait on another request).
 */
const MOTO_MAIN = `
import os, sys, threading
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
host, port = sys.argv[1], int(sys.argv[2])
os.environ.setdefault("MOTO_PORT", str(port))
app = DomainDispatcherApplication(create_backend_app)
lock = threading.Lock()
def serialized(environ, start_response):
    if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
        with lock:
            return list(app(environ, start_response))
    return app(environ, start_response)
run_simple(host, port, serialized, threaded=True, use_reloader=False)
`;

/** Starts moto server on a free loopback port and waits until it answers (about 3 s). */
export async function startMoto(): Promise<MotoServer> {
  const why = motoUnavailable();
  if (why !== null) throw new Error(why);
  const port = await freePort();
  const child = spawn('/usr/bin/python3', ['-c', MOTO_MAIN, '127.0.0.1', String(port)], {
    env: { ...process.env, PYTHONPATH: motoPythonPath(), PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitReady(endpoint, child, () => stderr);
  return {
    endpoint,
    credentials: { access_key_id: 'depot-test', secret_access_key: 'depot-test-secret' },
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`moto reset answered ${res.status}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * `describe` for tests that need moto server. Without moto they fail loudly in CI and as root (where
 * `scripts/install-test-deps.sh` installs it), and are skipped with a warning for a developer who
 * is not root.
 */
export function describeWithMoto(name: string, body: () => void): void {
  const why = motoUnavailable();
  if (why === null) {
    describe(name, body);
    return;
  }
  if (process.env.CI !== undefined || process.getuid?.() === 0) {
    describe(name, () => {
      it('needs moto server', () => {
        throw new Error(why);
      });
    });
    return;
  }
  console.warn(`skipping "${name}": ${why}`);
  describe.skip(name, body);
}
