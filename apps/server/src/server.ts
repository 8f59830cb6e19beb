import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { Logger } from '@depot/core';
import { type DepotConfig, parseListen } from './config/config-schema.js';
import { createDepotServer, type TlsFiles } from './dispatch/node-server.js';
import { createApp } from './http/app.js';
import { createMetrics } from './http/metrics.js';
import { INSTALLED_PLUGINS, type InstalledPlugins } from './plugins/installed.js';
import { repoListenerManager } from './repo-listeners/listener-manager.js';
import { openServices } from './runtime/open-services.js';
import { formatWorkers } from './workers/format-workers.js';
import { settingsRefreshWorker } from './workers/settings-refresh.js';
import { startSupervisor } from './workers/supervisor.js';

/** In-flight requests get this long to finish on shutdown before connections are cut. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** A running depot. */
export interface RunningDepot {
  /** The listening base URLs, e.g. `http://127.0.0.1:8080`. */
  readonly urls: readonly string[];
  readonly generatedAdminPassword: string | null;
  /** Stops gracefully; resolves with `code` once everything is closed. Idempotent. */
  shutdown(code: number): Promise<number>;
  /** Resolves with the exit code once a shutdown (requested or after a worker fault) finished. */
  readonly done: Promise<number>;
}

/** The server's version (from its package.json). */
export function depotVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

function listen(server: Server, address: string): Promise<string> {
  const parsed = parseListen(address);
  if (parsed === null) throw new Error(`invalid listen address ${address}`);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(parsed.port, parsed.host, () => {
      server.off('error', reject);
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : parsed.port;
      const host = parsed.host.includes(':') ? `[${parsed.host}]` : parsed.host;
      resolve(`${host}:${port}`);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Starts depot from a validated configuration. */
export async function startDepot(
  config: DepotConfig,
  logger: Logger,
  plugins: InstalledPlugins = INSTALLED_PLUGINS,
  requestEvents?: Logger,
): Promise<RunningDepot> {
  const version = depotVersion();
  const metrics = createMetrics();
  const { services, kv, cleanup, generatedAdminPassword } = await openServices(
    config,
    plugins,
    logger,
    version,
    metrics.formats,
  );
  const app = createApp(services);
  const servers: Server[] = [];
  const urls: string[] = [];
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((r) => {
    resolveDone = r;
  });
  let stopping: Promise<number> | undefined;
  let supervisor: ReturnType<typeof startSupervisor> | undefined;

  const shutdown = (code: number): Promise<number> => {
    stopping ??= (async () => {
      logger.info({ code }, 'shutting down');
      await Promise.all(servers.map(closeServer));
      await services.tasks.stop();
      await supervisor?.stop();
      await services.formats.close();
      await services.storeRegistry.close();
      await kv.close();
      logger.info({ code }, 'stopped');
      resolveDone(code);
      return code;
    })();
    return stopping;
  };

  const tls: TlsFiles | undefined = config.https
    ? { certPath: config.https.tls_cert, keyPath: config.https.tls_key }
    : undefined;
  try {
    if (config.http) {
      const server = createDepotServer(services, app, undefined, metrics, requestEvents);
      servers.push(server);
      urls.push(`http://${await listen(server, config.http.listen)}`);
    }
    if (config.https) {
      const server = createDepotServer(services, app, tls, metrics, requestEvents);
      servers.push(server);
      urls.push(`https://${await listen(server, config.https.listen)}`);
    }
    if (config.metrics_listen !== undefined) {
      const metricsServer = createHttpServer((_req, res) => metrics.serve(res));
      servers.push(metricsServer);
      await listen(metricsServer, config.metrics_listen);
    }
  } catch (err) {
    await shutdown(1);
    throw err;
  }
  // Per-repository ports formats declare (Docker's `listen`); HTTPS with the `[https]` files when configured.
  const listeners = repoListenerManager(
    { services, metrics, tls, requestEvents },
    logger.child({ worker: 'repo-listeners' }),
  );
  services.repoChanges.subscribe(() => listeners.wake());
  const workers = [
    settingsRefreshWorker(services.settings, logger.child({ worker: 'settings-refresh' })),
    cleanup,
    services.gc.worker,
    services.audit.worker,
    listeners,
    ...formatWorkers(services.formats, logger),
    ...services.auth.workers,
  ];
  supervisor = startSupervisor(workers, logger, () => {
    void shutdown(1);
  });
  for (const url of urls) logger.info({ url }, 'listening');
  return { urls, generatedAdminPassword, shutdown, done };
}
