import type { BlobStorePluginManifest, FormatPluginManifest, KvStorePluginManifest } from '@depot/core';
import { depotPlugin as aptFormat } from '@depot/format-apt';
import { depotPlugin as cargoFormat } from '@depot/format-cargo';
import { depotPlugin as dockerFormat } from '@depot/format-docker';
import { depotPlugin as goFormat } from '@depot/format-go';
import { depotPlugin as helmFormat } from '@depot/format-helm';
import { depotPlugin as npmFormat } from '@depot/format-npm';
import { depotPlugin as pypiFormat } from '@depot/format-pypi';
import { depotPlugin as rawFormat } from '@depot/format-raw';
import { depotPlugin as yumFormat } from '@depot/format-yum';
import { depotPlugin as fsBlobStore } from '@depot/store-fs';
import { depotPlugin as levelKvStore } from '@depot/store-level';

/**
 * Every plugin this build of Depot ships, wired by manifest (no discovery). At startup they are
 * registered through the same checks as `[[plugins]]` entries (see `loadPlugins`).
 */
export interface InstalledPlugins {
  readonly formats: readonly FormatPluginManifest[];
  readonly blobStores: readonly BlobStorePluginManifest[];
  readonly kvStores: readonly KvStorePluginManifest[];
}

// The cloud stores bring the AWS SDK (about 15 MB resident): they are imported when a store of
// their type is first opened, not at every start.
const s3BlobStore: BlobStorePluginManifest = {
  kind: 'blob-store',
  storeType: 's3',
  apiVersion: 1,
  create: async (options, context) => (await import('@depot/store-s3')).depotPlugin.create(options, context),
};

const dynamoKvStore: KvStorePluginManifest = {
  kind: 'kv-store',
  storeType: 'dynamodb',
  apiVersion: 1,
  open: async (options, context) => (await import('@depot/store-dynamodb')).depotPlugin.open(options, context),
};

/** The plugins compiled into the server. */
export const INSTALLED_PLUGINS: InstalledPlugins = {
  formats: [rawFormat, dockerFormat, npmFormat, pypiFormat, helmFormat, goFormat, cargoFormat, aptFormat, yumFormat],
  blobStores: [fsBlobStore, s3BlobStore],
  kvStores: [levelKvStore, dynamoKvStore],
};
