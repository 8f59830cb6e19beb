import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A child process this tool started; `stop()` ends exactly that process (by PID). */
export interface ManagedProcess {
  readonly pid: number;
  readonly logFile: string;
  /** Set once the process has exited. */
  exited(): boolean;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHook = false;

/** Kills every child still running when this process exits (crash, Ctrl-C), each by its own PID. */
function installExitHook(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** Spawns `cmd` with stdout/stderr into `logFile`; it is killed when this process exits. */
export function spawnManaged(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string; stopSignal?: NodeJS.Signals },
): ManagedProcess {
  const fd = openSync(opts.logFile, 'a');
  const child: ChildProcess = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', fd, fd],
  });
  let done = false;
  live.add(child);
  installExitHook();
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      done = true;
      live.delete(child);
      resolve();
    });
    child.once('error', () => {
      done = true;
      resolve();
    });
  });
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  const pid = child.pid;
  return {
    pid,
    logFile: opts.logFile,
    exited: () => done,
    async stop() {
      if (done) return;
      child.kill(opts.stopSignal ?? 'SIGTERM');
      const timeout = sleep(5000).then(() => 'timeout' as const);
      if ((await Promise.race([exit, timeout])) === 'timeout') {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers with a status below 500; fails early when `proc` exits. */
export async function waitForHttp(url: string, timeoutMs: number, proc?: ManagedProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (proc?.exited()) throw new Error(`process exited before ${url} answered (log: ${proc.logFile})`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status < 500) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
}

/** Resident memory of a process in bytes, from `/proc/PID/status` (VmRSS); null when unreadable. */
export async function residentBytes(pid: number): Promise<number | null> {
  const { readFile } = await import('node:fs/promises');
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}
