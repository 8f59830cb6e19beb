import { type FormatContext, type GeneratedMetadata, generatedMetadata, type RepositoryEngine } from '@depot/core';
import { fileUrlFromPage } from './names.js';
import { type ProjectStore, projectStore } from './store.js';
import type { PageFile, ProjectPage, ProjectRecord, StoredFile } from './types.js';

/** Where the generated simple pages of hosted repositories live in the format's KV namespace. */
export const SIMPLE_PREFIX = 'simple/';

/** What every PyPI route works with. */
export interface PypiEnv {
  readonly ctx: FormatContext;
  /** The engine acting as the request's caller (`req.engine`); the context's (system) one outside requests. */
  readonly engine: RepositoryEngine;
  readonly store: ProjectStore;
  /** Hosted simple documents: scope `''` is the project list, any other scope a project page (JSON). */
  readonly simple: GeneratedMetadata;
  /** Largest distribution file accepted, in bytes. */
  uploadLimit(): number;
}

/** The page file of a stored file (URL relative to `simple/{project}/`). */
export function pageFileOf(project: string, file: StoredFile): PageFile {
  return {
    filename: file.filename,
    url: fileUrlFromPage(project, file.version, file.filename),
    hashes: { sha256: file.sha256 },
    ...(file.requires_python === undefined ? {} : { requires_python: file.requires_python }),
    yanked: file.yanked === true ? file.yanked_reason || true : false,
    core_metadata: file.core_metadata_sha256 === undefined ? false : { sha256: file.core_metadata_sha256 },
    size: file.size,
    upload_time: file.upload_time,
  };
}

/** The simple page of a hosted project record. */
export function hostedPage(project: string, record: ProjectRecord): ProjectPage {
  const files = Object.values(record.files)
    .sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0))
    .map((file) => pageFileOf(project, file));
  return { name: record.name, files };
}

/** Creates the routes' environment. */
export function pypiEnv(ctx: FormatContext, maxUploadBytes: number): PypiEnv {
  const store = projectStore(ctx.kv);
  const simple = generatedMetadata({
    kv: ctx.kv,
    prefix: SIMPLE_PREFIX,
    logger: ctx.logger,
    async build(repo, scope) {
      if (scope === '') {
        const names: string[] = [];
        for await (const { record } of store.scan(repo)) names.push(record.name);
        return JSON.stringify(names);
      }
      const record = await store.get(repo, scope);
      return JSON.stringify(record === null ? null : hostedPage(scope, record));
    },
  });
  return {
    ctx,
    engine: ctx.engine,
    store,
    simple,
    uploadLimit() {
      const fromSettings = ctx.settings().max_artifact_bytes;
      return typeof fromSettings === 'number' && fromSettings > 0
        ? Math.min(fromSettings, maxUploadBytes)
        : maxUploadBytes;
    },
  };
}
