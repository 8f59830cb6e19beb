import { createPool, type Endpoint } from '../http/client.js';
import type { DepotInstance } from '../launch/depot.js';
import type { CompareSettings } from './types.js';

/** What every group gets: the running Depot, its auth headers and the shared settings. */
export interface GroupContext {
  readonly depot: DepotInstance;
  readonly depotHeaders: Readonly<Record<string, string>>;
  readonly settings: CompareSettings;
  /** Figures selected for this run (a group measures only these). */
  readonly selected: ReadonlySet<string>;
}

/** Runs `fn` with a fresh pool of `connections` to `origin`, closing it afterwards. */
export async function withEndpoint<T>(
  origin: string,
  headers: Readonly<Record<string, string>>,
  connections: number,
  fn: (ep: Endpoint) => Promise<T>,
): Promise<T> {
  const pool = createPool(origin, connections);
  try {
    return await fn({ pool, headers });
  } finally {
    await pool.destroy();
  }
}
