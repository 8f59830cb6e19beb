import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerClient, HOSTED_DOCKER_TOML, OCI_MANIFEST, type Pushed, sha256 } from './helpers/docker.js';
import { depotSlot, describeEachBackend } from './helpers/use-depot.js';

// Manifest PUTs with `?tag=` (the `OCI-Tag` answer), sha512 manifests tagged that way, and sparse
// image indexes, against a real server; bad inputs get a 4xx OCI error and write nothing.
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const depot = depotSlot();
const { auth, pushBlob } = dockerClient(() => depot);

afterEach(async () => {
  expect((await fetch(`${depot.url}/v2/`, { headers: auth() })).status).toBe(200);
});

const sha512 = (bytes: Buffer): string => `sha512:${createHash('sha512').update(bytes).digest('hex')}`;

/** An image manifest (config and one layer pushed to `name`) as bytes. */
async function image(name: string, seed: string): Promise<Buffer> {
  const config = await pushBlob(name, `{"seed":"${seed}"}`);
  const layer = await pushBlob(name, `layer ${seed}`);
  const doc = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
  };
  return Buffer.from(JSON.stringify(doc));
}

function put(name: string, ref: string, body: Buffer, query = '', type = OCI_MANIFEST, headers = auth()) {
  return fetch(`${depot.url}/v2/${name}/manifests/${ref}${query}`, {
    method: 'PUT',
    headers: { ...headers, 'content-type': type },
    body,
  });
}

const get = (name: string, ref: string, method = 'GET') =>
  fetch(`${depot.url}/v2/${name}/manifests/${ref}`, {
    method,
    headers: { ...auth(), accept: `${OCI_MANIFEST}, ${OCI_INDEX}` },
  });

async function tags(name: string): Promise<string[]> {
  const res = await fetch(`${depot.url}/v2/${name}/tags/list`, { headers: auth() });
  if (res.status === 404) return [];
  return ((await res.json()) as { tags: string[] | null }).tags ?? [];
}

async function errorCode(res: Response): Promise<string | undefined> {
  return ((await res.json()) as { errors?: { code: string }[] }).errors?.[0]?.code;
}

/** The `OCI-Tag` values of a response, split on commas. */
const ociTags = (res: Response): string[] =>
  (res.headers.get('oci-tag') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

describeEachBackend('docker manifests and tags', (backend) => {
  depot.use({ toml: HOSTED_DOCKER_TOML, backend });

  describe('PUT by digest with ?tag=', () => {
    it('applies every tag (repeats once), answers each in OCI-Tag, and each tag pulls the manifest', async () => {
      const name = 'docker/tagparam/multi';
      const bytes = await image(name, 'multi');
      const digest = sha256(bytes);
      const res = await put(name, digest, bytes, '?tag=v1&tag=v1.2&tag=latest&tag=v1');
      expect(res.status).toBe(201);
      expect(res.headers.get('docker-content-digest')).toBe(digest);
      expect(res.headers.get('location')).toBe(`/v2/${name}/manifests/${digest}`);
      expect(ociTags(res).sort()).toEqual(['latest', 'v1', 'v1.2']);
      for (const tag of ['v1', 'v1.2', 'latest']) {
        const pulled = await get(name, tag);
        expect(pulled.status).toBe(200);
        expect(pulled.headers.get('docker-content-digest')).toBe(digest);
        expect(Buffer.from(await pulled.arrayBuffer())).toEqual(bytes);
      }
      expect((await tags(name)).sort()).toEqual(['latest', 'v1', 'v1.2']);
    });

    it('a PUT by digest without tag= answers no OCI-Tag and creates no tag', async () => {
      const name = 'docker/tagparam/none';
      const bytes = await image(name, 'none');
      const res = await put(name, sha256(bytes), bytes);
      expect(res.status).toBe(201);
      expect(res.headers.get('oci-tag')).toBeNull();
      expect(await tags(name)).toEqual([]);
    });

    it('moves an existing tag to the digest of the PUT', async () => {
      const name = 'docker/tagparam/move';
      const first = await image(name, 'first');
      const second = await image(name, 'second');
      expect((await put(name, sha256(first), first, '?tag=stable')).status).toBe(201);
      expect((await put(name, sha256(second), second, '?tag=stable')).status).toBe(201);
      expect((await get(name, 'stable')).headers.get('docker-content-digest')).toBe(sha256(second));
    });

    it('an invalid tag= value is 400 TAG_INVALID and writes neither the manifest nor any tag', async () => {
      const name = 'docker/tagparam/invalid';
      const bytes = await image(name, 'invalid');
      const digest = sha256(bytes);
      for (const query of [
        '?tag=ok&tag=-leading-dash',
        '?tag=',
        `?tag=${'a'.repeat(129)}`,
        '?tag=a%2Fb',
        '?tag=%C3%A9',
      ]) {
        const res = await put(name, digest, bytes, query);
        expect(res.status, query).toBe(400);
        expect(await errorCode(res), query).toBe('TAG_INVALID');
      }
      expect((await get(name, digest)).status).toBe(404);
      expect(await tags(name)).toEqual([]);
    });

    it('tag= on a PUT by tag is 400 TAG_INVALID and writes nothing', async () => {
      const name = 'docker/tagparam/bytag';
      const bytes = await image(name, 'bytag');
      const res = await put(name, 'main', bytes, '?tag=other');
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe('TAG_INVALID');
      expect(await tags(name)).toEqual([]);
      expect((await get(name, sha256(bytes))).status).toBe(404);
    });

    it('more than 100 tag= parameters is 414 UNSUPPORTED and writes nothing', async () => {
      const name = 'docker/tagparam/many';
      const bytes = await image(name, 'many');
      const query = `?${Array.from({ length: 101 }, (_, i) => `tag=t${i}`).join('&')}`;
      const res = await put(name, sha256(bytes), bytes, query);
      expect(res.status).toBe(414);
      expect(await errorCode(res)).toBe('UNSUPPORTED');
      expect(await tags(name)).toEqual([]);
    });

    it('an unknown digest algorithm in the path is 400 DIGEST_INVALID, tags or not', async () => {
      const name = 'docker/tagparam/algo';
      const bytes = await image(name, 'algo');
      const hex = createHash('sha384').update(bytes).digest('hex');
      for (const ref of [`sha384:${hex}`, `md5:${createHash('md5').update(bytes).digest('hex')}`]) {
        const res = await put(name, ref, bytes, '?tag=x');
        expect(res.status, ref).toBe(400);
        expect(await errorCode(res), ref).toBe('DIGEST_INVALID');
      }
      expect(await tags(name)).toEqual([]);
    });

    it('the digest in the path is authoritative: a body that does not match it is 400 DIGEST_INVALID, no tag', async () => {
      const name = 'docker/tagparam/mismatch';
      const bytes = await image(name, 'mismatch');
      const other = sha256(Buffer.from('something else'));
      const res = await put(name, other, bytes, '?tag=v1');
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe('DIGEST_INVALID');
      expect(await tags(name)).toEqual([]);
    });

    it('is a write: without credentials it is refused and nothing is written', async () => {
      const name = 'docker/tagparam/anon';
      const bytes = await image(name, 'anon');
      const res = await put(name, sha256(bytes), bytes, '?tag=v1', OCI_MANIFEST, {} as ReturnType<typeof auth>);
      expect(res.status).toBe(401);
      expect(await tags(name)).toEqual([]);
    });
  });

  describe('sha512 manifests', () => {
    it('tagged through ?tag=, the tag answers the sha512 digest on PUT, HEAD and GET', async () => {
      const name = 'docker/sha512/tagged';
      const bytes = await image(name, 'sha512');
      const digest = sha512(bytes);
      const res = await put(name, digest, bytes, '?tag=v512');
      expect(res.status).toBe(201);
      expect(res.headers.get('docker-content-digest')).toBe(digest);
      expect(res.headers.get('location')).toBe(`/v2/${name}/manifests/${digest}`);
      expect(ociTags(res)).toEqual(['v512']);
      for (const method of ['HEAD', 'GET']) {
        const pulled = await get(name, 'v512', method);
        expect(pulled.status, method).toBe(200);
        expect(pulled.headers.get('docker-content-digest'), method).toBe(digest);
        expect(pulled.headers.get('content-length'), method).toBe(String(bytes.byteLength));
      }
      expect(Buffer.from(await (await get(name, 'v512')).arrayBuffer())).toEqual(bytes);
      expect((await get(name, digest)).status).toBe(200);
    });

    it('a PUT by tag keeps sha256, the canonical algorithm', async () => {
      const name = 'docker/sha512/bytag';
      const bytes = await image(name, 'bytag512');
      const res = await put(name, 'plain', bytes);
      expect(res.status).toBe(201);
      expect(res.headers.get('docker-content-digest')).toBe(sha256(bytes));
      expect((await get(name, 'plain', 'HEAD')).headers.get('docker-content-digest')).toBe(sha256(bytes));
    });
  });

  describe('sparse image indexes', () => {
    it('an index whose child manifests are not in the repository is accepted, by digest and by tag', async () => {
      const name = 'docker/sparse/index';
      const present = await image(name, 'amd64');
      expect((await put(name, sha256(present), present)).status).toBe(201);
      const absent: Pushed = { digest: sha256(Buffer.from('an arm64 manifest never pushed here')), size: 1024 };
      const index = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_INDEX,
          manifests: [
            {
              mediaType: OCI_MANIFEST,
              digest: sha256(present),
              size: present.byteLength,
              platform: { architecture: 'amd64', os: 'linux' },
            },
            { mediaType: OCI_MANIFEST, ...absent, platform: { architecture: 'arm64', os: 'linux' } },
          ],
        }),
      );
      const byDigest = await put(name, sha256(index), index, '', OCI_INDEX);
      expect(byDigest.status, await byDigest.text()).toBe(201);
      const byTag = await put(name, 'multi', index, '', OCI_INDEX);
      expect(byTag.status).toBe(201);
      const pulled = await get(name, 'multi');
      expect(pulled.status).toBe(200);
      expect(pulled.headers.get('content-type')).toBe(OCI_INDEX);
      expect(Buffer.from(await pulled.arrayBuffer())).toEqual(index);
      expect((await get(name, sha256(present))).status).toBe(200);
      expect((await get(name, absent.digest)).status).toBe(404);
    });

    it('an image manifest whose layer is not in the repository is still 400 MANIFEST_BLOB_UNKNOWN', async () => {
      const name = 'docker/sparse/image';
      const config = await pushBlob(name, '{"sparse":true}');
      const doc = {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256('never pushed'), size: 12 }],
      };
      const bytes = Buffer.from(JSON.stringify(doc));
      const res = await put(name, 'v1', bytes);
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe('MANIFEST_BLOB_UNKNOWN');
      expect(await tags(name)).toEqual([]);
    });
  });
});
