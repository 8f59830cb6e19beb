import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerClient, OCI_MANIFEST } from './helpers/docker.js';
import { useDepot } from './helpers/use-depot.js';

// Background tasks through the admin API on a real server: start, wait, list, get, cancel, delete,
// the events stream, an integrity check that finds (and fixes) a blob deleted behind Depot's back,
// and a bulk delete.
interface Task {
  id: string;
  kind: string;
  status: string;
  phase?: string;
  progress?: Record<string, number>;
  result?: Record<string, unknown>;
  log?: string[];
  actor?: string;
}

describe('tasks', () => {
  const depot = useDepot({
    toml: `
[[initialization.repositories]]
name = "raw-t"
repo_type = "hosted"
format = "raw"
store = "default"
`,
  });
  const { client } = depot;
  const put = (path: string, body: string) =>
    fetch(`${depot.url}/repository/raw-t/${path}`, {
      method: 'PUT',
      body,
      headers: { authorization: client.authorization },
    });

  it('a bulk delete runs as a task: 202, then completed with its count, listed, and forgotten on delete', async () => {
    for (const name of ['a', 'b', 'c']) expect((await put(`old/${name}.txt`, name)).status).toBe(201);
    expect((await put('keep/d.txt', 'd')).status).toBe(201);
    const started = await client.post<Task>('/api/v1/tasks/bulk-delete', { repo: 'raw-t', prefix: 'old/' });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ kind: 'bulk-delete', status: 'running', actor: 'admin' });
    let task = started.body;
    for (let i = 0; i < 100 && task.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      task = (await client.get<Task>(`/api/v1/tasks/${started.body.id}`)).body;
    }
    expect(task).toMatchObject({ status: 'completed', result: { deleted: 3 }, progress: { done: 3, total: 3 } });
    expect(
      (await fetch(`${depot.url}/repository/raw-t/old/a.txt`, { headers: { authorization: client.authorization } }))
        .status,
    ).toBe(404);
    expect(
      (await fetch(`${depot.url}/repository/raw-t/keep/d.txt`, { headers: { authorization: client.authorization } }))
        .status,
    ).toBe(200);
    const listed = await client.get<{ tasks: Task[] }>('/api/v1/tasks?kind=bulk-delete');
    expect(listed.body.tasks.map((t) => t.id)).toContain(started.body.id);
    expect((await client.delete(`/api/v1/tasks/${started.body.id}`)).status).toBe(204);
    expect((await client.get(`/api/v1/tasks/${started.body.id}`)).status).toBe(404);
  });

  it('check finds a blob deleted behind Depot’s back, and fix removes the dangling records', async () => {
    expect((await put('victim.txt', 'bytes that will vanish')).status).toBe(201);
    // Delete every blob file of the filesystem store whose content is ours.
    const root = join(depot.dataDir, 'blobs');
    let removed = 0;
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      if (readFileSync(path, 'utf8') === 'bytes that will vanish') {
        rmSync(path);
        removed++;
      }
    }
    expect(removed).toBe(1);
    const found = await client.post<Task>('/api/v1/tasks/check?wait=true', { rehash: true });
    expect(found.status).toBe(200);
    const findings = (found.body.result?.findings ?? []) as { kind: string; artifact?: string }[];
    expect(findings.map((f) => f.kind).sort()).toEqual(['dangling-artifact', 'missing-blob']);
    expect(findings.find((f) => f.kind === 'dangling-artifact')?.artifact).toBe('raw-t/victim.txt');
    expect(found.body.log?.length).toBe(2);
    const fixed = await client.post<Task>('/api/v1/tasks/check?wait=true', { fix: true });
    expect(((fixed.body.result?.findings ?? []) as unknown[]).length).toBe(2);
    const clean = await client.post<Task>('/api/v1/tasks/check?wait=true', {});
    expect(clean.body.result?.findings).toEqual([]);
    expect(
      (await fetch(`${depot.url}/repository/raw-t/victim.txt`, { headers: { authorization: client.authorization } }))
        .status,
    ).toBe(404);
  });

  it('streams task changes as Server-Sent Events', async () => {
    const controller = new AbortController();
    const res = await fetch(`${depot.url}/api/v1/events`, {
      headers: { authorization: client.authorization },
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const started = await client.post<Task>('/api/v1/tasks/check', {});
    let text = '';
    for (let i = 0; i < 50 && !/"status":"completed"/.test(text); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toContain('event: task');
    expect(text).toContain(started.body.id);
    expect(text).toMatch(/"status":"completed"/);
  });

  it('clones a repository (raw files, and Docker tags with their format records): the copy serves the same bytes', async () => {
    expect((await put('cloned/file.txt', 'clone me')).status).toBe(201);
    const raw = await client.post<Task>('/api/v1/tasks/clone?wait=true', { source: 'raw-t', target: 'raw-copy' });
    expect(raw.body).toMatchObject({ status: 'completed', result: { source: 'raw-t', target: 'raw-copy' } });
    const copied = await fetch(`${depot.url}/repository/raw-copy/cloned/file.txt`, {
      headers: { authorization: client.authorization },
    });
    expect(await copied.text()).toBe('clone me');
    // The copy is independent: deleting from it leaves the source alone.
    expect(
      (
        await fetch(`${depot.url}/repository/raw-copy/cloned/file.txt`, {
          method: 'DELETE',
          headers: { authorization: client.authorization },
        })
      ).status,
    ).toBe(204);
    expect((await put('cloned/file.txt', 'clone me')).status).toBeLessThan(300);

    expect(
      (
        await client.post('/api/v1/repositories', {
          name: 'img',
          repo_type: 'hosted',
          format: 'docker',
          store: 'default',
        })
      ).status,
    ).toBe(201);
    const docker = dockerClient(() => depot);
    const config = await docker.pushBlob('img/app', '{"architecture":"amd64","os":"linux"}');
    const layer = await docker.pushBlob('img/app', 'layer bytes');
    const manifest = await docker.pushManifest('img/app', 'v1', {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    });
    const img = await client.post<Task>('/api/v1/tasks/clone?wait=true', { source: 'img', target: 'img-copy' });
    expect(img.body.status).toBe('completed');
    const head = await fetch(`${depot.url}/v2/img-copy/app/manifests/v1`, {
      method: 'HEAD',
      headers: { ...docker.auth(), accept: OCI_MANIFEST },
    });
    expect([head.status, head.headers.get('docker-content-digest')]).toEqual([200, manifest.digest]);
    const tags = await fetch(`${depot.url}/v2/img-copy/app/tags/list`, { headers: docker.auth() });
    expect(((await tags.json()) as { tags: string[] }).tags).toEqual(['v1']);
    const blob = await fetch(`${depot.url}/v2/img-copy/app/blobs/${layer.digest}`, { headers: docker.auth() });
    expect(await blob.text()).toBe('layer bytes');
    expect((await client.post('/api/v1/tasks/clone', { source: 'img', target: 'img-copy' })).status).toBe(409);
  });

  it('clean applies cleanup policies as a task (dry run lists, nothing young expires) and reports repositories it skips', async () => {
    expect((await client.put('/api/v1/repositories/raw-t', { cleanup_max_age_days: 30 })).status).toBe(200);
    expect(
      (
        await client.post('/api/v1/repositories', {
          name: 'npm-h',
          repo_type: 'hosted',
          format: 'npm',
          store: 'default',
          cleanup_max_age_days: 5,
        })
      ).status,
    ).toBe(201);
    const dry = await client.post<Task>('/api/v1/tasks/clean?wait=true', { dry_run: true });
    expect(dry.body).toMatchObject({ status: 'completed', result: { dry_run: true, expired: 0, repositories: 1 } });
    expect(((dry.body.result?.skipped ?? []) as { repo: string }[]).map((s) => s.repo)).toEqual(['npm-h']);
    expect((await client.post('/api/v1/tasks/clean', { repo: 'missing' })).status).toBe(404);
  });

  it('refuses bad requests: unknown kinds, bad fields, a second task of a running kind, cancel of a finished one', async () => {
    expect((await client.post('/api/v1/tasks/defrag', {})).status).toBe(404);
    expect((await client.post('/api/v1/tasks/check', { rehash: 'yes' })).status).toBe(400);
    expect((await client.post('/api/v1/tasks/check', { colour: 1 })).status).toBe(400);
    expect((await client.post('/api/v1/tasks/bulk-delete', { repo: 'nope', prefix: '' })).status).toBe(404);
    const done = await client.post<Task>('/api/v1/tasks/check?wait=true', {});
    expect((await client.post(`/api/v1/tasks/${done.body.id}/cancel`)).status).toBe(409);
    expect((await client.get('/api/v1/tasks', { anonymous: true })).status).toBe(401);
    expect((await client.get('/api/v1/events', { anonymous: true })).status).toBe(401);
  });
});
