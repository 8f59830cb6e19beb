export { accessDenied } from './auth/access-denied.js';
export type { AuthService, IssuedToken, Principal, RepoAction } from './auth/principal.js';
export { SYSTEM_PRINCIPAL } from './auth/principal.js';
export type {
  BlobListEntry,
  BlobListPage,
  BlobPutOptions,
  BlobPutResult,
  BlobReadResult,
  BlobStore,
  BlobStoreStats,
  ByteRange,
  ByteSource,
  HealthResult,
  PositionalRead,
} from './blob/blob-store.js';
export { discardBody, positionalReadOf, withPositionalRead } from './blob/blob-store.js';
export { healthRoundTrip } from './blob/health-round-trip.js';
export { memoryBlobStore } from './blob/memory-blob-store.js';
export {
  createSecretBox,
  MIN_SERVER_SECRET_BYTES,
  type SecretBox,
  unavailableSecretBox,
} from './crypto/secret-box.js';
export type { CreateDepotOptions, Depot, DepotRepositories } from './depot.js';
export { createDepot } from './depot.js';
export type { AccessRule } from './dispatch/access.js';
export {
  defaultAction,
  enforceAccess,
  isMutating,
  requireAccess,
  requireAuthenticated,
  requireRepoAccess,
} from './dispatch/access.js';
export type { Dispatcher, DispatchOptions, DispatchRequest, ResponseSender } from './dispatch/dispatch.js';
export { createDispatcher, EMPTY_BODY, REPOSITORY_NAME, REPOSITORY_PREFIX } from './dispatch/dispatch.js';
export type { ErrorBody } from './dispatch/render-error.js';
export {
  asDepotError,
  BASIC_CHALLENGE,
  errorBody,
  jsonErrorResponse,
  renderError,
  retryAfterSecs,
} from './dispatch/render-error.js';
export type { DepotErrorOptions, ErrorCode } from './errors/depot-error.js';
export {
  badRequest,
  conflict,
  DepotError,
  HTTP_STATUS,
  isDepotError,
  notAllowed,
  notFound,
} from './errors/depot-error.js';
export type {
  BaseFormatRequest,
  BlobReference,
  Format,
  FormatCapabilities,
  FormatContext,
  FormatCounter,
  FormatMetrics,
  FormatPluginManifest,
  FormatRequest,
  FormatResponse,
  FormatRuntime,
  FormatSetting,
  FormatWorker,
  HeaderMap,
  MountRequest,
  PackageVersion,
  PackageVersions,
  PackageVersionsHook,
  RepositoryListenerSpec,
  RepositoryLookup,
  ResponseBody,
  SigningKeyHook,
  SigningKeyInfo,
} from './format/format.js';
export type { FormatHostServices } from './format/format-context.js';
export { createFormatContext, formatNamespace, repositoryRecordKeys } from './format/format-context.js';
export type { GeneratedMetadata, GeneratedMetadataOptions } from './format/generated-metadata.js';
export { generatedMetadata, proxiesContaining } from './format/generated-metadata.js';
export {
  fillsFromUpstream,
  ifNoneMatchHits,
  immutableArtifactResponse,
  jsonResponse,
  requestWriteTarget,
  upstreamSignal,
} from './format/request-helpers.js';
export { type GcPassOptions, type GcPassResult, runGcPass } from './gc/gc-pass.js';
export type { Hasher, MultiHasher } from './hash/hasher.js';
export { blake3Hex, blake3Implementation, createBlake3, createMultiHasher } from './hash/hasher.js';
export type { ExpectedContent } from './ingest/expected-content.js';
export type { IngestOptions, IngestResult } from './ingest/ingest.js';
export { ingest } from './ingest/ingest.js';
export type { IntegrityEvent, IntegrityEventRecord, IntegrityReporter } from './integrity/integrity-events.js';
export { INTEGRITY_PREFIX, integrityReporter, listIntegrityEvents } from './integrity/integrity-events.js';
export type {
  KvBatchOp,
  KvCapabilities,
  KvEntry,
  KvListOptions,
  KvPage,
  KvStore,
  Versioned,
} from './kv/kv-store.js';
export { memoryKvStore } from './kv/memory-kv-store.js';
export type { RecordPage, RecordView, RecordViewOptions, VersionedRecord } from './kv/record-view.js';
export { recordView } from './kv/record-view.js';
export type {
  ArtifactRecord,
  BlobRecord,
  ContentHashes,
  DepotRecords,
  DirAggregateRecord,
  ExtraHashAlgorithm,
  RepositoryRecord,
  RepoType,
  SettingsRecord,
  StoreRecord,
  UpstreamAuth,
  WritePolicy,
} from './kv/records.js';
export { artifactId, blobRecordId, depotRecords, SCHEMA_VERSION, WRITE_POLICIES } from './kv/records.js';
export { scopedKv } from './kv/scoped-kv.js';
export type { LogFields, Logger } from './logger.js';
export { noopLogger } from './logger.js';
export type { AddressClass, AddressPolicy } from './net/address-class.js';
export { addressAllowed, classifyAddress, classifyHost } from './net/address-class.js';
export type { BlobStorePluginManifest, DepotPluginManifest, KvStorePluginManifest, StoreContext } from './plugin.js';
export { DEPOT_PLUGIN_API_VERSION } from './plugin.js';
export {
  assertKnownOptions,
  booleanOption,
  choiceOption,
  numberOption,
  positiveIntegerOption,
  stringOption,
} from './plugin-options.js';
export type { ArtifactResponse } from './repo/artifact-response.js';
export { toArtifactResponse } from './repo/artifact-response.js';
export {
  cleanupSkipReason,
  expiredArtifacts,
  keepLastSkipReason,
  versionsBeyondKeepLast,
} from './repo/cleanup-policy.js';
export { guessContentType } from './repo/content-type.js';
export type { Cooldown } from './repo/cooldown.js';
export { cooldownOf, cooldownRefusal } from './repo/cooldown.js';
export { createRepositoryEngine } from './repo/create-engine.js';
export type { DrainOptions, DrainResult } from './repo/drain-repository.js';
export { drainRepository } from './repo/drain-repository.js';
export type {
  ArtifactAlias,
  ArtifactBody,
  ArtifactPage,
  ArtifactRead,
  BrowseResult,
  CachePolicy,
  GetArtifactOptions,
  PutArtifactOptions,
  ReadSource,
  RepositoryEngine,
  RepositoryEngineOptions,
  UpstreamFetch,
  UpstreamRequest,
  UpstreamTimeouts,
} from './repo/engine.js';
export { MAX_PROXY_DEPTH } from './repo/engine.js';
export { normalizeDecodedPath, normalizePath } from './repo/normalize-path.js';
export type { RepositoryAdmin, RepositoryInput, RepositoryPatch } from './repo/repository-admin.js';
export { repositoryAdmin } from './repo/repository-admin.js';
export { DEFAULT_UPSTREAM_TIMEOUTS } from './repo/upstream.js';
export { guardUpstreamFetch, MAX_UPSTREAM_REDIRECTS, redirectHostListed } from './repo/upstream-guard.js';
export type { RepositoryValidationContext } from './repo/validate-repository.js';
export { validateRepository } from './repo/validate-repository.js';
export { compareUtf8 } from './util/compare-utf8.js';
export type { GlobMatcher } from './util/glob.js';
export { compileGlob, globMatches, globProblem, MAX_GLOB_LENGTH } from './util/glob.js';
export { parseQueryInteger } from './util/query-integer.js';
export { readBounded } from './util/read-bounded.js';
export { type SpooledFile, sha256OfFile, spoolToFile } from './util/spool.js';
export { readZipDirectory, readZipEntry, unsafeEntryName, type ZipEntry } from './util/zip-file.js';
