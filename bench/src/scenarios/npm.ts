import { ensureRepo } from '../http/admin-api.js';
import { npmTarball } from '../payload/tgz.js';
import { getPackument, getTarball, type NpmRegistry, publish } from '../protocol/npm.js';
import type { PreparedScenario, ScenarioContext } from './types.js';

/** Versions published for the metadata scenario (the packument grows with them). */
const METADATA_VERSIONS = 20;

function registry(ctx: ScenarioContext): NpmRegistry {
  return { ep: ctx.ep, base: `/repository/${encodeURIComponent(ctx.npmRepo)}`, origin: ctx.origin };
}

/** Publishes `versions` versions of `name` with tarballs of about `size` bytes. */
export async function publishVersions(
  reg: NpmRegistry,
  ctx: Pick<ScenarioContext, 'payloads'>,
  name: string,
  versions: number,
  size: number,
): Promise<void> {
  for (let v = 0; v < versions; v++) {
    const version = `1.0.${v}`;
    await publish(reg, name, version, npmTarball(name, version, ctx.payloads.bytes(size, 3e9 + v)));
  }
}

/** 100 % packument GETs of one package with 20 versions. */
export async function npmMetadata(ctx: ScenarioContext): Promise<PreparedScenario> {
  await ensureRepo(ctx.ep, ctx.npmRepo, 'npm', ctx.store);
  const reg = registry(ctx);
  const name = `bench-meta-${ctx.runId}`;
  await publishVersions(reg, ctx, name, METADATA_VERSIONS, 256);
  return { step: async (rec) => void (await rec.time('packument', () => getPackument(reg, name))) };
}

/** 100 % tarball GETs over `seedObjects` versions with tarballs of `artifactSize`. */
export async function npmTarballs(ctx: ScenarioContext): Promise<PreparedScenario> {
  await ensureRepo(ctx.ep, ctx.npmRepo, 'npm', ctx.store);
  const reg = registry(ctx);
  const name = `bench-tgz-${ctx.runId}`;
  await publishVersions(reg, ctx, name, ctx.seedObjects, ctx.artifactSize);
  return {
    step: async (rec, i) => {
      await rec.time('tarball', () => getTarball(reg, name, `1.0.${i % ctx.seedObjects}`));
    },
  };
}
