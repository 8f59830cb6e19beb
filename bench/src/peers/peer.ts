import { spawnSync } from 'node:child_process';

/** A peer server started for a comparison. */
export interface PeerInstance {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Why a peer cannot run here, or null when its binary is on PATH. */
export function missingBinary(bin: string): string | null {
  const res = spawnSync('sh', ['-c', `command -v ${bin} || test -x /usr/sbin/${bin}`], { encoding: 'utf8' });
  return res.status === 0 ? null : `${bin} not installed (run scripts/install-test-deps.sh as root)`;
}

/** The first line of a binary's version output (for the report). */
export function versionOf(cmd: string, args: readonly string[]): string {
  const res = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${res.stdout ?? ''}${res.stderr ?? ''}`.trim().split('\n')[0] ?? '';
}
