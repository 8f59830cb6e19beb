import { browseArtifacts, ensureRepo } from '../http/admin-api.js';
import { getDrain } from '../http/client.js';
import { rawDelete, rawPath, rawPut } from '../protocol/raw.js';
import type { PreparedScenario, ScenarioContext } from './types.js';

/** Path of seeded object `k`, spread over a few nested directories. */
function seededPath(ctx: ScenarioContext, k: number): string {
  return `bench/${ctx.runId}/seed/d${k % 8}/obj-${k}.bin`;
}

/** Path of uploaded object `i`. */
function uploadPath(ctx: ScenarioContext, i: number): string {
  return `bench/${ctx.runId}/up/d${i % 16}/obj-${i}.bin`;
}

/** Seeds `ctx.seedObjects` objects of `artifactSize` for download scenarios. */
async function seed(ctx: ScenarioContext): Promise<void> {
  await ensureRepo(ctx.ep, ctx.rawRepo, 'raw', ctx.store);
  for (let k = 0; k < ctx.seedObjects; k++) {
    await rawPut(ctx.ep, rawPath(ctx.rawRepo, seededPath(ctx, k)), ctx.payloads.make(ctx.artifactSize, 1e9 + k));
  }
}

/** 100 % uploads of unique objects. */
export async function rawUpload(ctx: ScenarioContext): Promise<PreparedScenario> {
  await ensureRepo(ctx.ep, ctx.rawRepo, 'raw', ctx.store);
  return {
    step: async (rec, i) => {
      const p = ctx.payloads.make(ctx.artifactSize, i);
      await rec.time('upload', () => rawPut(ctx.ep, rawPath(ctx.rawRepo, uploadPath(ctx, i)), p));
    },
  };
}

/** 100 % downloads of pre-seeded objects, round robin. */
export async function rawDownload(ctx: ScenarioContext): Promise<PreparedScenario> {
  await seed(ctx);
  return {
    step: async (rec, i) => {
      await rec.time('download', () => getDrain(ctx.ep, rawPath(ctx.rawRepo, seededPath(ctx, i % ctx.seedObjects))));
    },
  };
}

/**
 * 60 % download, 30 % upload, 5 % delete (of this run's oldest upload), 5 % list (one directory
 * level through `/api/v1/repositories/{r}/artifacts?prefix=`), in a fixed pattern of 20 steps.
 */
export async function rawMixed(ctx: ScenarioContext): Promise<PreparedScenario> {
  await seed(ctx);
  const uploaded: number[] = [];
  return {
    step: async (rec, i) => {
      const slot = i % 20;
      if (slot < 12) {
        await rec.time('download', () => getDrain(ctx.ep, rawPath(ctx.rawRepo, seededPath(ctx, i % ctx.seedObjects))));
      } else if (slot < 18 || (slot === 18 && uploaded.length === 0)) {
        const p = ctx.payloads.make(ctx.artifactSize, i);
        if (await rec.time('upload', () => rawPut(ctx.ep, rawPath(ctx.rawRepo, uploadPath(ctx, i)), p))) {
          uploaded.push(i);
        }
      } else if (slot === 18) {
        const victim = uploaded.shift() as number;
        await rec.time('delete', () => rawDelete(ctx.ep, rawPath(ctx.rawRepo, uploadPath(ctx, victim))));
      } else {
        await rec.time('list', () => browseArtifacts(ctx.ep, ctx.rawRepo, `bench/${ctx.runId}/seed/`));
      }
    },
  };
}
