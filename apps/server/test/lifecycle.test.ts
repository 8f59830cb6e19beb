import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { api, runCli, startDepot } from './helpers/depot-process.js';

function writeConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'depot-cfg-'));
  const file = join(dir, 'depot.toml');
  writeFileSync(file, text);
  return file;
}

describe('CLI', () => {
  it('prints help and version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('depot -c FILE');
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 naming the key on an unknown key, a wrong type or an invalid value', async () => {
    const unknown = await runCli(['-c', writeConfig('[http]\nlisten = "127.0.0.1:0"\nlistn = "x"\n')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('http.listn');
    const scaling = await runCli(['-c', writeConfig('[kv_store]\ntype = "level"\nscaling_factor = 3\n')]);
    expect(scaling.code).toBe(2);
    // Checked by the level plugin, which owns its keys; the server names the table and key.
    expect(scaling.stderr).toMatch(/kv_store\.scaling_factor: .*must be a power of two in 1\.\.256, got 3/);
    const wrongType = await runCli(['-c', writeConfig('default_admin_password = 12345678\n')]);
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr).toContain('default_admin_password');
    const badToml = await runCli(['-c', writeConfig('[http\n')]);
    expect(badToml.code).toBe(2);
    const missing = await runCli(['-c', '/nonexistent/depot.toml']);
    expect(missing.code).toBe(2);
    const badFlag = await runCli(['--frobnicate']);
    expect(badFlag.code).toBe(2);
  });

  it('exits 2 naming the entry when [initialization] is invalid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depot-init-'));
    const config = writeConfig(
      [
        '[http]',
        'listen = "127.0.0.1:0"',
        '[kv_store]',
        'type = "level"',
        `path = ${JSON.stringify(join(dir, 'kv'))}`,
        '[[initialization.repositories]]',
        'name = "r"',
        'repo_type = "hosted"',
        'format = "raw"',
        'store = "missing"',
      ].join('\n'),
    );
    const res = await runCli(['-c', config], dir);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('initialization.repositories[0] ("r")');
    expect(res.stderr).toContain('store "missing" does not exist');
  });
});

describe('lifecycle', () => {
  it('finishes an in-flight slow upload on SIGTERM, then exits 0', async () => {
    const depot = await startDepot({
      toml: '[[initialization.repositories]]\nname = "raw"\nrepo_type = "hosted"\nformat = "raw"\nstore = "default"\n',
    });
    onTestFinished(() => depot.kill());
    const client = api(depot);
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${depot.url}/repository/raw/slow.bin`, {
        method: 'PUT',
        headers: { authorization: client.authorization, 'content-length': 10 * 1024 },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      let sent = 0;
      const tick = setInterval(() => {
        req.write(Buffer.alloc(1024, 66));
        if (++sent === 10) {
          clearInterval(tick);
          req.end();
        }
      }, 150);
    });
    await new Promise((r) => setTimeout(r, 300));
    const exited = depot.stop('SIGTERM');
    // New connections are refused while the upload is still finishing.
    await new Promise((r) => setTimeout(r, 200));
    await expect(fetch(`${depot.url}/api/v1/health`)).rejects.toThrow();
    const result = await response;
    expect(result.status, result.body).toBe(201);
    expect(JSON.parse(result.body).size).toBe(10 * 1024);
    expect(await exited).toBe(0);
    expect(depot.logs()).toContain('shutting down');
  });

  it('prints the listening URL, warns without a blob store, and exits 0 on SIGINT', async () => {
    const depot = await startDepot({ noDefaultStore: true });
    onTestFinished(() => depot.kill());
    expect(depot.logs()).toContain(`listening on http://127.0.0.1:${depot.port}`);
    expect(depot.logs()).toContain('no blob store: create one with POST /api/v1/stores');
    expect(depot.logs()).not.toContain(depot.adminPassword);
    expect(await depot.stop('SIGINT')).toBe(0);
  });
});
