import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, basicAuth, type DepotProcess, startDepot } from './helpers/depot-process.js';
import { cmPush, fetchIndex, type HelmRepo, packageChart } from './helpers/helm-client.js';

const run = promisify(execFile);
let depot: DepotProcess;
let work: string;
let repo: HelmRepo;

/** A ustar header block for `name` (type `0` file, `2` symlink). */
function tarHeader(name: string, size: number, type = '0', link = ''): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100);
  block.write('0000644\0', 100);
  block.write('0000000\0', 108);
  block.write('0000000\0', 116);
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  block.write('00000000000\0', 136);
  block.write('        ', 148);
  block.write(type, 156);
  block.write(link, 157, 100);
  block.write('ustar\u000000', 257);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

function tgz(entries: { name: string; body?: string; type?: string; link?: string }[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    parts.push(tarHeader(e.name, body.length, e.type, e.link), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

const chartYaml = (name: string, version: string) => `apiVersion: v2\nname: ${name}\nversion: ${version}\n`;

/** A chart whose Chart.yaml is `mib` MiB, gzip-streamed: the request body is never held whole. */
function hugeChartYamlBody(mib: number): ReadableStream<Uint8Array> {
  const size = mib * 1024 * 1024;
  const gzip = createGzip();
  (async () => {
    const head = Buffer.from(chartYaml('big', '1.0.0'));
    const line = Buffer.from(`#${'x'.repeat(1022)}\n`);
    gzip.write(tarHeader('big/Chart.yaml', size));
    gzip.write(head);
    for (let written = head.length; written < size; written += line.length) {
      const chunk = written + line.length <= size ? line : line.subarray(0, size - written);
      if (!gzip.write(chunk)) await new Promise((r) => gzip.once('drain', r));
    }
    gzip.end(Buffer.alloc(1024 + ((512 - (size % 512)) % 512)));
  })().catch((err: unknown) => gzip.destroy(err as Error));
  return ReadableStream.from(gzip) as ReadableStream<Uint8Array>;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'depot-helm-bad-'));
  depot = await startDepot();
  const res = await api(depot).post('/api/v1/repositories', {
    name: 'charts',
    repo_type: 'hosted',
    format: 'helm',
    store: 'default',
  });
  expect(res.status).toBeLessThan(300);
  repo = { url: `${depot.url}/repository/charts`, auth: basicAuth('admin', depot.adminPassword) };
  // A good chart, so the listing checks below are known to list what is stored.
  expect((await cmPush(repo, await packageChart(work, 'good', '1.0.0'))).status).toBe(201);
}, 120_000);

afterAll(async () => {
  await depot?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

const put = (name: string, body: Buffer | ReadableStream<Uint8Array>) =>
  fetch(`${repo.url}/${name}`, {
    method: 'PUT',
    headers: { authorization: repo.auth ?? '' },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);

/** Nothing of `name` stored, an index without it, and the server still takes a good chart. */
async function expectNothingStored(file: string): Promise<void> {
  const listed = await api(depot).get<{ artifacts: { path: string }[] }>('/api/v1/repositories/charts/artifacts');
  expect(listed.status).toBe(200);
  const paths = listed.body.artifacts.map((a) => a.path);
  expect(paths).toContain('good-1.0.0.tgz');
  expect(paths.filter((p) => p.startsWith(file))).toEqual([]);
  const index = await fetchIndex(repo);
  expect(
    Object.values(index.entries)
      .flat()
      .map((e) => e.urls[0]),
  ).not.toContain(file);
  expect((await fetch(`${repo.url}/${file}`, { headers: { authorization: repo.auth ?? '' } })).status).toBe(404);
  expect((await api(depot).get('/api/v1/health')).status).toBe(200);
}

describe('bad charts against a real depot: 4xx with a JSON code, nothing half-written, still serving', () => {
  it.each([
    [
      'a tgz without Chart.yaml',
      'web-1.0.0.tgz',
      () => tgz([{ name: 'web/values.yaml', body: 'a: 1\n' }]),
      400,
      'BAD_REQUEST',
    ],
    [
      'Chart.yaml naming another chart',
      'web-1.0.0.tgz',
      () => tgz([{ name: 'api/Chart.yaml', body: chartYaml('api', '1.0.0') }]),
      400,
      'BAD_REQUEST',
    ],
    [
      'Chart.yaml naming another version',
      'web-1.0.0.tgz',
      () => tgz([{ name: 'web/Chart.yaml', body: chartYaml('web', '9.9.9') }]),
      400,
      'BAD_REQUEST',
    ],
    [
      'a ../ entry',
      'web-1.0.0.tgz',
      () =>
        tgz([
          { name: 'web/Chart.yaml', body: chartYaml('web', '1.0.0') },
          { name: 'web/../../etc/cron.d/x', body: 'x' },
        ]),
      400,
      'BAD_REQUEST',
    ],
    [
      'a body that is not gzip',
      'web-1.0.0.tgz',
      () => Buffer.from('<html>definitely not a chart</html>'),
      400,
      'BAD_REQUEST',
    ],
    [
      'a truncated archive',
      'web-1.0.0.tgz',
      () => tgz([{ name: 'web/Chart.yaml', body: chartYaml('web', '1.0.0') }]).subarray(0, 40),
      400,
      'BAD_REQUEST',
    ],
    [
      'an invalid SemVer',
      'web-1.0.tgz',
      () => tgz([{ name: 'web/Chart.yaml', body: chartYaml('web', '1.0') }]),
      400,
      'BAD_REQUEST',
    ],
  ])('PUT with %s', async (_, file, body, status, code) => {
    const res = await put(file, body());
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ code, error: expect.any(String) });
    await expectNothingStored(file);
  });

  it('a chart packed by tar with a symlink in it is refused, by PUT and by cm-push', async () => {
    const dir = join(work, 'linked');
    mkdirSync(join(dir, 'web', 'templates'), { recursive: true });
    writeFileSync(join(dir, 'web', 'Chart.yaml'), chartYaml('web', '1.0.0'));
    symlinkSync('/etc/passwd', join(dir, 'web', 'templates', 'passwd.yaml'));
    const file = join(work, 'web-1.0.0.tgz');
    await run('tar', ['-czf', file, '-C', dir, 'web']);
    const res = await put('web-1.0.0.tgz', readFileSync(file));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'BAD_REQUEST' });
    const pushed = await cmPush(repo, file);
    expect(pushed.status).toBe(400);
    expect(await pushed.json()).toMatchObject({ code: 'BAD_REQUEST' });
    await expectNothingStored('web-1.0.0.tgz');
  });

  it('a 100 MiB Chart.yaml is refused with 413 as soon as its header is read', async () => {
    const started = Date.now();
    const res = await put('big-1.0.0.tgz', hugeChartYamlBody(100));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(Date.now() - started).toBeLessThan(30_000);
    await expectNothingStored('big-1.0.0.tgz');
  });

  it('cm-push of a chart without Chart.yaml and of a non-multipart body are 400', async () => {
    const file = join(work, 'empty-1.0.0.tgz');
    writeFileSync(file, tgz([{ name: 'empty/values.yaml', body: 'a: 1\n' }]));
    const res = await cmPush(repo, file);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'BAD_REQUEST' });
    const raw = await fetch(`${repo.url}/api/charts`, {
      method: 'POST',
      headers: { authorization: repo.auth ?? '', 'content-type': 'application/gzip' },
      body: readFileSync(await packageChart(work, 'ok', '1.0.0')),
    });
    expect(raw.status).toBe(400);
    await expectNothingStored('ok-1.0.0.tgz');
  });
});
