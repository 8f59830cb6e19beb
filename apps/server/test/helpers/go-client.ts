import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { zipSync } from 'fflate';

const run = promisify(execFile);

/** The user the Go tests upload as (and a cache authenticates upstream with). */
export const GO_USER = { username: 'gobuild', password: 'go-e2e-password-1' };

/** TOML declaring {@link GO_USER} as an admin. */
export const GO_USER_TOML = `
[[initialization.users]]
username = "${GO_USER.username}"
password = "${GO_USER.password}"
roles = ["admin"]
must_change_password = false
`;

/** Fails with how to install it when the `go` command is missing. */
export async function requireGo(): Promise<void> {
  try {
    await run('go', ['version']);
  } catch {
    throw new Error('the go command is missing: run scripts/install-test-deps.sh (Debian package golang-go)');
  }
}

/** A scratch Go environment: its own HOME, module cache and build cache. */
export interface GoSandbox {
  readonly root: string;
  /** Runs `go args…` in `cwd` with `GOPROXY=proxy`; rejects with go's output on failure. */
  go(cwd: string, proxy: string, args: readonly string[], env?: Record<string, string>): Promise<string>;
  /** Empties the module cache (its files are read-only, as go leaves them). */
  clearModCache(): void;
  dispose(): void;
}

const makeWritable = (dir: string): void => {
  if (!existsSync(dir)) return;
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) makeWritable(p);
    else chmodSync(p, 0o644);
  }
};

/** Creates a {@link GoSandbox} under `root`. */
export function goSandbox(root: string): GoSandbox {
  const home = join(root, 'home');
  const modcache = join(root, 'modcache');
  mkdirSync(home, { recursive: true });
  const clearModCache = (): void => {
    makeWritable(modcache);
    rmSync(modcache, { recursive: true, force: true });
  };
  return {
    root,
    async go(cwd, proxy, args, env = {}) {
      try {
        const out = await run('go', [...args], {
          cwd,
          timeout: 120_000,
          env: {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            HOME: home,
            GOPATH: join(root, 'gopath'),
            GOMODCACHE: modcache,
            GOCACHE: join(root, 'gocache'),
            GOTOOLCHAIN: 'local',
            GOFLAGS: '-mod=mod',
            GOPROXY: proxy,
            GOSUMDB: 'off',
            GONOSUMDB: '*',
            GOPRIVATE: '',
            GONOPROXY: '',
            CGO_ENABLED: '0',
            ...env,
          },
        });
        return out.stdout + out.stderr;
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        throw new Error(`go ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
      }
    },
    clearModCache,
    dispose() {
      clearModCache();
      makeWritable(root);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A module zip as the go command builds one: every file under `{module}@{version}/`. */
export function moduleZip(module: string, version: string, files: Readonly<Record<string, string>>): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, body] of Object.entries(files))
    entries[`${module}@${version}/${name}`] = new TextEncoder().encode(body);
  return zipSync(entries);
}

/** `POST upload` of a module version (multipart, as `curl -F` sends it). */
export async function uploadModule(
  repoUrl: string,
  module: string,
  version: string,
  zip: Uint8Array,
): Promise<{ status: number; body: unknown }> {
  const form = new FormData();
  form.set('module', module);
  form.set('version', version);
  form.set('zip', new Blob([zip]), 'module.zip');
  const res = await fetch(`${repoUrl}/upload`, {
    method: 'POST',
    body: form,
    headers: { authorization: `Basic ${Buffer.from(`${GO_USER.username}:${GO_USER.password}`).toString('base64')}` },
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body };
}
