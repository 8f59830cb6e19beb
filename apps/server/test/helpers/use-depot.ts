import { describeWithMoto } from '@depot/testkit';
import { afterAll, beforeAll, describe } from 'vitest';
import { type ApiClient, api } from './api.js';
import { acquireMoto, BACKENDS, type Backend, releaseMoto } from './backends.js';
import { type DepotProcess, type StartDepotOptions, startDepot } from './depot-process.js';

/** A depot that {@link useDepot} starts before a suite's tests and stops after them. */
export interface DepotHandle extends DepotProcess {
  /**
   * The admin {@link api} client of the running depot. The object itself is stable, so a suite may
   * take it once (`const { client } = depot`) outside its tests.
   */
  readonly client: ApiClient;
}

/** How long a depot (and, on `dynamodb-s3`, moto with it) may take to start. */
const START_TIMEOUT_MS = 120_000;

/** A {@link DepotHandle} that follows the depot of whichever suite is running; see {@link depotSlot}. */
export interface DepotSlot extends DepotHandle {
  /**
   * Registers `beforeAll` (start a depot with `options` and point the slot at it) and `afterAll`
   * (stop it) in the current suite. `options` may be a function, evaluated in `beforeAll`, for values
   * known only then (an upstream's port).
   */
  use(options?: StartDepotOptions | (() => StartDepotOptions)): void;
}

/**
 * A handle, declared once at file level, for a file whose suites each start their own depot (one per
 * backend under {@link describeEachBackend}): helpers written against it reach the depot of the
 * suite running at the time. Suites of a file run one after another, so one slot serves them all.
 */
export function depotSlot(): DepotSlot {
  let current: { depot: DepotProcess; client: ApiClient } | undefined;
  const running = () => {
    if (current === undefined) throw new Error('no depot runs: use the handle inside the suite that started it');
    return current;
  };
  return {
    use(options = {}) {
      let mine: DepotProcess | undefined;
      beforeAll(async () => {
        mine = await startDepot(typeof options === 'function' ? options() : options);
        current = { depot: mine, client: api(mine) };
      }, START_TIMEOUT_MS);
      afterAll(async () => {
        if (current?.depot === mine) current = undefined;
        await mine?.stop();
      });
    },
    get url() {
      return running().depot.url;
    },
    get port() {
      return running().depot.port;
    },
    get dataDir() {
      return running().depot.dataDir;
    },
    get backend() {
      return running().depot.backend;
    },
    get adminPassword() {
      return running().depot.adminPassword;
    },
    client: forwardingClient(() => running().client),
    pid: () => running().depot.pid(),
    stop: (signal) => running().depot.stop(signal),
    restart: () => running().depot.restart(),
    logs: () => running().depot.logs(),
    kill: () => running().depot.kill(),
  };
}

/**
 * Registers `beforeAll` (start a depot with `options`) and `afterAll` (stop it) in the current
 * suite and returns a handle to it, valid inside that suite's tests and hooks: a file's whole
 * preamble is `const depot = useDepot({ toml })`. `options` may be a function, evaluated in
 * `beforeAll`, for values known only then (an upstream's port).
 */
export function useDepot(options: StartDepotOptions | (() => StartDepotOptions) = {}): DepotHandle {
  const slot = depotSlot();
  slot.use(options);
  return slot;
}

/** An {@link ApiClient} whose calls go to whichever client `target` returns at call time. */
function forwardingClient(target: () => ApiClient): ApiClient {
  return {
    get authorization() {
      return target().authorization;
    },
    request: (method, path, body, opts) => target().request(method, path, body, opts),
    get: (path, opts) => target().get(path, opts),
    post: (path, body, opts) => target().post(path, body, opts),
    put: (path, body, opts) => target().put(path, body, opts),
    patch: (path, body, opts) => target().patch(path, body, opts),
    delete: (path, opts) => target().delete(path, opts),
  };
}

/** The backends to run: all of {@link BACKENDS}, or the comma-separated `DEPOT_E2E_BACKENDS`. */
function selectedBackends(): Backend[] {
  const only = process.env.DEPOT_E2E_BACKENDS;
  if (only === undefined || only.trim() === '') return [...BACKENDS];
  const wanted = only.split(',').map((b) => b.trim());
  const unknown = wanted.filter((b) => !BACKENDS.includes(b as Backend));
  if (unknown.length > 0) throw new Error(`DEPOT_E2E_BACKENDS names unknown backends: ${unknown.join(', ')}`);
  return BACKENDS.filter((b) => wanted.includes(b));
}

/**
 * Runs the suite `body` once per backend, as `name [level-fs]` and `name [dynamodb-s3]`; the
 * latter behaves like testkit's `describeWithMoto` (skipped with a warning where moto is missing,
 * failing in CI) and keeps one moto server up for the whole suite. `DEPOT_E2E_BACKENDS`
 * (e.g. `level-fs`) narrows the backends.
 */
export function describeEachBackend(name: string, body: (backend: Backend) => void): void {
  for (const backend of selectedBackends()) {
    const title = `${name} [${backend}]`;
    if (backend === 'level-fs') {
      describe(title, () => body(backend));
      continue;
    }
    describeWithMoto(title, () => {
      beforeAll(async () => {
        await acquireMoto();
      }, START_TIMEOUT_MS);
      afterAll(() => releaseMoto());
      body(backend);
    });
  }
}
