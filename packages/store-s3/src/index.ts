export type { S3BlobStoreOptions } from './s3-blob-store.js';
export { depotPlugin, s3BlobStore } from './s3-blob-store.js';
