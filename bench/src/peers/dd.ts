import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

/** Writes `mib` MiB of zeros to `file` with `dd … conv=fsync` and returns MB/s (decimal). */
export async function ddWrite(file: string, mib: number): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', `count=${mib}`, 'conv=fsync'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`dd exited ${code}: ${err}`))));
  });
  const secs = (performance.now() - t0) / 1000;
  rmSync(file, { force: true });
  return (mib * 1024 * 1024) / 1e6 / secs;
}
