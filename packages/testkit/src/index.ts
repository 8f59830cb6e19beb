/** The in-memory stores live in core (useful to embedders too); re-exported for existing test imports. */
export { memoryBlobStore, memoryKvStore } from '@depot/core';
export type { BlobStoreSuiteOptions } from './blob-suite.js';
export { describeBlobStore } from './blob-suite.js';
export type {
  FormatHarness,
  FormatHarnessOptions,
  HarnessBody,
  HarnessMountRequest,
  HarnessRequest,
  HarnessResponse,
  HarnessRole,
  HarnessServer,
  HarnessUsers,
  PrincipalInput,
} from './format-harness.js';
export { createFormatHarness, HARNESS_BASE_URL, harnessPrincipal } from './format-harness.js';
export type { FormatSuiteOptions, SuiteArtifact, SuiteListing } from './format-suite.js';
export { describeFormat } from './format-suite.js';
export type { OpenKv } from './generated-metadata-suite.js';
export { describeGeneratedMetadata } from './generated-metadata-suite.js';
export type { KvStoreSuiteOptions } from './kv-suite.js';
export { describeKvStore } from './kv-suite.js';
export type { MotoServer } from './moto-server.js';
export { describeWithMoto, motoPythonPath, motoUnavailable, startMoto } from './moto-server.js';
export { type TarFile, tgz } from './tarball.js';
