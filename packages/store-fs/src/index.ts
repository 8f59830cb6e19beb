export type { FsBlobStoreOptions } from './fs-blob-store.js';
export { depotPlugin, fsBlobStore } from './fs-blob-store.js';
