import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startDepot } from './helpers/depot-process.js';

type LogRecord = { severityText: string; body: { stringValue: string }; attributes: { key: string }[] };
type Export = { resourceLogs: { scopeLogs: { logRecords: LogRecord[] }[] }[] };

let collector: Server;
let endpoint = '';
const received: { path: string; records: LogRecord[] }[] = [];

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      const doc = JSON.parse(body) as Export;
      const records = doc.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords));
      received.push({ path: req.url ?? '', records });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  const addr = collector.address();
  endpoint = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
});
afterAll(async () => {
  await new Promise((r) => collector.close(r));
});

const messages = () => received.flatMap((b) => b.records.map((r) => r.body.stringValue));

describe('[logging] otlp_endpoint', () => {
  it('exports application logs over OTLP/HTTP, flushing on shutdown', async () => {
    const depot = await startDepot({ toml: `[logging]\notlp_endpoint = "${endpoint}"\n` });
    onTestFinished(() => depot.kill());
    for (let i = 0; i < 50 && !messages().includes('listening'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(messages()).toContain('listening');
    expect(received[0]?.path).toBe('/v1/logs');
    const listening = received.flatMap((b) => b.records).find((r) => r.body.stringValue === 'listening');
    expect(listening?.severityText).toBe('INFO');
    expect(listening?.attributes.map((a) => a.key)).toContain('url');

    // Per-request events go to OTLP only, with the caller's name and no query string.
    const auth = `Basic ${Buffer.from(`admin:${depot.adminPassword}`).toString('base64')}`;
    await fetch(`${depot.url}/api/v1/repositories?secret=token`, { headers: { authorization: auth } });
    const attrsOf = (r: LogRecord) =>
      Object.fromEntries(r.attributes.map((a) => [a.key, (a as unknown as { value: Record<string, unknown> }).value]));
    const find = () =>
      received
        .flatMap((b) => b.records)
        .filter((r) => r.body.stringValue === 'depot.request')
        .map(attrsOf)
        .find((a) => (a.path as { stringValue?: string }).stringValue === '/api/v1/repositories');
    for (let i = 0; i < 50 && find() === undefined; i++) await new Promise((r) => setTimeout(r, 100));
    const attrs = find() ?? {};
    expect(attrs.username).toEqual({ stringValue: 'admin' });
    expect(attrs.path).toEqual({ stringValue: '/api/v1/repositories' });
    expect(attrs.status).toEqual({ intValue: '200' });
    expect(depot.logs()).not.toContain('depot.request');
    expect(await depot.stop()).toBe(0);
    expect(messages()).toContain('stopped');
    expect(JSON.stringify(received)).not.toContain(depot.adminPassword);
  });
});
