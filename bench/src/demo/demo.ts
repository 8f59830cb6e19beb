import { createHash } from 'node:crypto';
import { ensureRepo, ensureStore } from '../http/admin-api.js';
import { authHeaders, createPool, type Endpoint } from '../http/client.js';
import { PayloadFactory } from '../payload/payload.js';
import { npmTarball } from '../payload/tgz.js';
import { publish } from '../protocol/npm.js';
import { imageManifest, type OciRepo, pushBlob, putManifest } from '../protocol/oci.js';
import { rawPath, rawPut } from '../protocol/raw.js';
import { DOCKER_REPOS, IMAGES, NPM_PACKAGES, RAW_REPOS, Rng, rawArtifactPath } from './random.js';

/** Options of `depot-bench demo`. */
export interface DemoOptions {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly seed: number;
  readonly repos: number;
  readonly artifacts: number;
  readonly dockerRepos: number;
  readonly images: number;
  readonly tags: number;
  readonly packages: number;
  readonly versions: number;
  /** Root of the `default` file store when it has to be created (a path on the server's machine). */
  readonly storeRoot: string;
}

/** What `demo` created (or found already there), for callers and tests. */
export interface DemoSummary {
  readonly raw: { repo: string; paths: string[] }[];
  readonly docker: { repo: string; image: string; tags: string[] }[];
  readonly npm: { repo: string; packages: { name: string; versions: string[] }[] };
}

/** Seeds a running Depot with deterministic raw, docker and npm data through the API. */
export async function runDemo(o: DemoOptions): Promise<DemoSummary> {
  const origin = new URL(o.url).origin;
  const ep: Endpoint = { pool: createPool(origin, 4), headers: await authHeaders(origin, o.user, o.password) };
  const rng = new Rng(o.seed);
  const payloads = new PayloadFactory(o.seed, o.seed);
  try {
    await ensureStore(ep, 'default', o.storeRoot);
    const raw = await seedRaw(ep, o, rng, payloads);
    const docker = await seedDocker(ep, o, rng, payloads);
    const npm = await seedNpm(ep, o, rng, payloads, origin);
    return { raw, docker, npm };
  } finally {
    await ep.pool.close();
  }
}

async function seedRaw(ep: Endpoint, o: DemoOptions, rng: Rng, payloads: PayloadFactory): Promise<DemoSummary['raw']> {
  const out: DemoSummary['raw'] = [];
  for (const repo of RAW_REPOS.slice(0, o.repos)) {
    await ensureRepo(ep, repo, 'raw', 'default');
    const paths = new Set<string>();
    while (paths.size < o.artifacts) paths.add(rawArtifactPath(rng));
    let n = 0;
    for (const path of paths) {
      await rawPut(ep, rawPath(repo, path), payloads.make(rng.int(200, 64 * 1024), rng.int(0, 2 ** 30) + n++));
    }
    out.push({ repo, paths: [...paths] });
  }
  return out;
}

async function seedDocker(
  ep: Endpoint,
  o: DemoOptions,
  rng: Rng,
  payloads: PayloadFactory,
): Promise<DemoSummary['docker']> {
  const out: DemoSummary['docker'] = [];
  let counter = 5e8;
  for (const repo of DOCKER_REPOS.slice(0, o.dockerRepos)) {
    await ensureRepo(ep, repo, 'docker', 'default');
    for (const image of IMAGES.slice(0, o.images)) {
      const r: OciRepo = { ep, name: `${repo}/${image}` };
      // A shared base layer per image, then one layer per tag, like a real build history.
      const base = await pushLayer(r, payloads, rng.int(16, 256) * 1024, counter++);
      const tags: string[] = [];
      for (let t = 0; t < o.tags; t++) {
        const tag = t === o.tags - 1 ? 'latest' : `1.${t}.${rng.int(0, 9)}`;
        const app = await pushLayer(r, payloads, rng.int(1, 64) * 1024, counter++);
        const config = Buffer.from(
          JSON.stringify({
            architecture: 'amd64',
            os: 'linux',
            config: { Env: [`IMAGE=${image}`, `TAG=${tag}`] },
            rootfs: { type: 'layers', diff_ids: [base.digest, app.digest] },
          }),
        );
        const configRef = await pushBytes(r, config);
        await putManifest(r, tag, imageManifest(configRef, [base, app]));
        tags.push(tag);
      }
      out.push({ repo, image, tags });
    }
  }
  return out;
}

async function pushLayer(
  r: OciRepo,
  payloads: PayloadFactory,
  size: number,
  counter: number,
): Promise<{ digest: string; size: number }> {
  const digest = payloads.digest(size, counter);
  await pushBlob(r, digest, payloads.make(size, counter), 'post');
  return { digest, size };
}

async function pushBytes(r: OciRepo, data: Buffer): Promise<{ digest: string; size: number }> {
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  await pushBlob(r, digest, { chunks: [data], size: data.length }, 'post');
  return { digest, size: data.length };
}

async function seedNpm(
  ep: Endpoint,
  o: DemoOptions,
  rng: Rng,
  payloads: PayloadFactory,
  origin: string,
): Promise<DemoSummary['npm']> {
  const repo = 'npm-packages';
  if (o.packages > 0) await ensureRepo(ep, repo, 'npm', 'default');
  const reg = { ep, base: `/repository/${repo}`, origin };
  const packages: { name: string; versions: string[] }[] = [];
  for (const name of NPM_PACKAGES.slice(0, o.packages)) {
    const versions: string[] = [];
    const major = rng.int(0, 3);
    for (let v = 0; v < o.versions; v++) {
      const version = `${major}.${v}.${rng.int(0, 5)}`;
      await publish(reg, name, version, npmTarball(name, version, payloads.bytes(rng.int(1, 32) * 1024, 7e8 + v)));
      versions.push(version);
    }
    packages.push({ name, versions });
  }
  return { repo, packages };
}
