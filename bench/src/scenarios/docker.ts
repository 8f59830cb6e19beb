import { ensureRepo } from '../http/admin-api.js';
import { imageManifest, type OciRepo, pullImage, pushBlob, putManifest } from '../protocol/oci.js';
import type { PreparedScenario, ScenarioContext } from './types.js';

const CONFIG_SIZE = 512;

function ociRepo(ctx: ScenarioContext): OciRepo {
  return { ep: ctx.ep, name: `${ctx.dockerRepo}/bench-${ctx.runId}` };
}

/** Pushes one unique image (config + one layer of `layerSize`) under tag `t{i}`; times each part. */
async function pushImage(ctx: ScenarioContext, r: OciRepo, i: number, time: TimeFn): Promise<boolean> {
  const layerDigest = ctx.payloads.digest(ctx.layerSize, i);
  const layer = ctx.payloads.make(ctx.layerSize, i);
  const configCounter = 2e9 + i;
  const configDigest = ctx.payloads.digest(CONFIG_SIZE, configCounter);
  const config = ctx.payloads.make(CONFIG_SIZE, configCounter);
  if (!(await time('blob-upload', () => pushBlob(r, layerDigest, layer, ctx.uploadMode)))) return false;
  if (!(await time('blob-upload', () => pushBlob(r, configDigest, config, ctx.uploadMode)))) return false;
  const manifest = imageManifest({ digest: configDigest, size: CONFIG_SIZE }, [
    { digest: layerDigest, size: ctx.layerSize },
  ]);
  return time('manifest-put', () => putManifest(r, `t${i}`, manifest));
}

type TimeFn = (op: string, fn: () => Promise<number>) => Promise<boolean>;

/** 100 % pushes of unique images. */
export async function dockerPush(ctx: ScenarioContext): Promise<PreparedScenario> {
  await ensureRepo(ctx.ep, ctx.dockerRepo, 'docker', ctx.store);
  const r = ociRepo(ctx);
  return { step: async (rec, i) => void (await pushImage(ctx, r, i, (op, fn) => rec.time(op, fn))) };
}

async function seedImages(ctx: ScenarioContext, r: OciRepo): Promise<void> {
  await ensureRepo(ctx.ep, ctx.dockerRepo, 'docker', ctx.store);
  const failures: string[] = [];
  for (let k = 0; k < ctx.seedObjects; k++) {
    await pushImage(ctx, r, 1e9 + k, async (op, fn) => {
      try {
        await fn();
        return true;
      } catch (err) {
        failures.push(`${op}: ${(err as Error).message}`);
        return false;
      }
    });
  }
  if (failures.length > 0) throw new Error(`seeding images failed: ${failures[0]}`);
}

/** 100 % pulls (manifest, config, layer) of pre-seeded images. */
export async function dockerPull(ctx: ScenarioContext): Promise<PreparedScenario> {
  const r = ociRepo(ctx);
  await seedImages(ctx, r);
  return {
    step: async (rec, i) => {
      await rec.time('pull', () => pullImage(r, `t${1e9 + (i % ctx.seedObjects)}`));
    },
  };
}

/** 50 % pushes, 50 % pulls. */
export async function dockerMixed(ctx: ScenarioContext): Promise<PreparedScenario> {
  const r = ociRepo(ctx);
  await seedImages(ctx, r);
  return {
    step: async (rec, i) => {
      if (i % 2 === 0) await rec.time('pull', () => pullImage(r, `t${1e9 + (i % ctx.seedObjects)}`));
      else await pushImage(ctx, r, i, (op, fn) => rec.time(op, fn));
    },
  };
}
