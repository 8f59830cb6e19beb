import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnManaged, waitForHttp } from '../launch/process.js';
import type { PeerInstance } from './peer.js';

/**
 * nginx serving `wwwRoot` as static files on a loopback port, configured as a user would for a
 * file server: `worker_processes auto`, sendfile, keep-alive, no access log. Private prefix,
 * pid file and temp paths, foreground master (stopped by PID).
 */
export async function startNginx(dir: string, wwwRoot: string): Promise<PeerInstance> {
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  const tmp = join(dir, 'tmp');
  writeFileSync(
    conf,
    [
      process.getuid?.() === 0 ? 'user root;' : '',
      'worker_processes auto;',
      'daemon off;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      'events { worker_connections 4096; }',
      'http {',
      '  access_log off;',
      '  sendfile on;',
      '  tcp_nopush on;',
      '  keepalive_requests 100000;',
      '  default_type application/octet-stream;',
      `  client_body_temp_path ${tmp}/body;`,
      `  proxy_temp_path ${tmp}/proxy;`,
      `  fastcgi_temp_path ${tmp}/fastcgi;`,
      `  uwsgi_temp_path ${tmp}/uwsgi;`,
      `  scgi_temp_path ${tmp}/scgi;`,
      `  server { listen 127.0.0.1:${port}; root ${wwwRoot}; location / { } }`,
      '}',
      '',
    ].join('\n'),
  );
  const proc = spawnManaged('nginx', ['-p', dir, '-c', conf], {
    logFile: join(dir, 'nginx.out'),
    stopSignal: 'SIGQUIT',
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/`, 10_000, proc);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { name: 'nginx', url, pid: proc.pid, stop: () => proc.stop() };
}
