export type { LevelKvStoreOptions } from './level-kv-store.js';
export { depotPlugin, levelKvStore } from './level-kv-store.js';
