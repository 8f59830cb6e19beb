import type { Logger, Principal } from '@depot/core';
import type { HttpBindings } from '@hono/node-server';

/** Per-request values every handler can read with `c.get(…)`. */
export interface AppVariables {
  requestId: string;
  principal: Principal;
  logger: Logger;
}

/** The hono environment of the depot app. */
export type AppEnv = { Variables: AppVariables; Bindings: HttpBindings };
