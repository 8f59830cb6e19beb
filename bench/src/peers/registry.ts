import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnManaged, waitForHttp } from '../launch/process.js';
import type { PeerInstance } from './peer.js';

/** CNCF distribution (`docker-registry serve`) with filesystem storage and deletes on, on loopback. */
export async function startRegistry(dir: string): Promise<PeerInstance> {
  mkdirSync(join(dir, 'data'), { recursive: true });
  const port = await freePort();
  const cfg = join(dir, 'registry.yml');
  writeFileSync(
    cfg,
    [
      'version: 0.1',
      'log: {level: error, accesslog: {disabled: true}}',
      `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}}`,
      `http: {addr: "127.0.0.1:${port}"}`,
      '',
    ].join('\n'),
  );
  const proc = spawnManaged('docker-registry', ['serve', cfg], { logFile: join(dir, 'registry.log') });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/v2/`, 15_000, proc);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { name: 'docker-registry', url, pid: proc.pid, stop: () => proc.stop() };
}
