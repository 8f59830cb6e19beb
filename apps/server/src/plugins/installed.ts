import type { BlobStorePluginManifest, FormatPluginManifest, KvStorePluginManifest } from '@depot/core';
import { depotPlugin as dockerFormat } from '@depot/format-docker';
import { depotPlugin as npmFormat } from '@depot/format-npm';
import { depotPlugin as rawFormat } from '@depot/format-raw';
import { depotPlugin as dynamoKvStore } from '@depot/store-dynamodb';
import { depotPlugin as fsBlobStore } from '@depot/store-fs';
import { depotPlugin as levelKvStore } from '@depot/store-level';
import { depotPlugin as s3BlobStore } from '@depot/store-s3';

/**
 * Every plugin this build of Depot ships, wired by manifest (no discovery). At startup they are
 * registered through the same checks as `[[plugins]]` entries (see `loadPlugins`).
 */
export interface InstalledPlugins {
  readonly formats: readonly FormatPluginManifest[];
  readonly blobStores: readonly BlobStorePluginManifest[];
  readonly kvStores: readonly KvStorePluginManifest[];
}

/** The plugins compiled into the server. */
export const INSTALLED_PLUGINS: InstalledPlugins = {
  formats: [rawFormat, dockerFormat, npmFormat],
  blobStores: [fsBlobStore, s3BlobStore],
  kvStores: [levelKvStore, dynamoKvStore],
};
