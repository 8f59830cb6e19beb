import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/load-config.js';
import { createLogger } from './logger.js';
import { INSTALLED_PLUGINS } from './plugins/installed.js';
import { loadPlugins } from './plugins/load-plugins.js';
import { depotVersion, startDepot } from './server.js';

const HELP = `depot — artifact repository manager

Usage:
  depot                 start with ./depot.toml if present, else the defaults
                        (HTTP on 0.0.0.0:8080, LevelDB under ./depot-data/kv)
  depot -c FILE         start with the TOML configuration FILE
  depot --help          show this help
  depot --version       print the version
  depot backup …        write a backup archive (depot backup --help)
  depot restore …       restore a backup archive into an empty instance

Configuration keys: docs/config.md. REST API: docs/api.md.
Exit codes: 0 clean shutdown, 1 runtime failure, 2 invalid configuration or arguments.
`;

function banner(password: string): string {
  const line = '='.repeat(64);
  return `\n${line}\n  Generated password for user "admin": ${password}\n  It is shown only once, and only lets you change it:\n  POST /api/v1/auth/change-password (see README "Walkthrough").\n${line}\n\n`;
}

/**
 * The `depot` command: parses arguments, loads the configuration, starts the server and waits for
 * its end; `onListening` runs once every listener is up. Resolves with the exit code.
 */
export async function runCli(onListening: () => void = () => undefined): Promise<number> {
  const command = process.argv[2];
  if (command === 'backup' || command === 'restore') {
    const { runBackupCommand } = await import('./backup/backup-cli.js');
    return runBackupCommand(command, process.argv.slice(3), depotVersion());
  }
  let args: ReturnType<
    typeof parseArgs<{
      options: {
        config: { type: 'string'; short: 'c' };
        help: { type: 'boolean'; short: 'h' };
        version: { type: 'boolean'; short: 'V' };
      };
    }>
  >;
  try {
    args = parseArgs({
      options: {
        config: { type: 'string', short: 'c' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
      allowPositionals: false,
    });
  } catch (err) {
    process.stderr.write(`depot: ${err instanceof Error ? err.message : String(err)}\n\n${HELP}`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.values.version) {
    process.stdout.write(`${depotVersion()}\n`);
    return 0;
  }
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(args.values.config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`depot: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const { logger, flush, requestEvents } = createLogger({
    level: loaded.config.logging.level,
    ...(loaded.config.logging.otlp_endpoint === undefined ? {} : { otlpEndpoint: loaded.config.logging.otlp_endpoint }),
  });
  logger.info({ config: loaded.source, version: depotVersion() }, 'starting depot');
  let depot: Awaited<ReturnType<typeof startDepot>>;
  try {
    // `[[plugins]]` packages resolve from the config file's directory (the working directory without one).
    const baseDir = loaded.source === 'defaults' ? process.cwd() : dirname(resolve(loaded.source));
    const plugins = await loadPlugins(loaded.config, INSTALLED_PLUGINS, baseDir);
    depot = await startDepot(loaded.config, logger, plugins, requestEvents);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`depot: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (depot.generatedAdminPassword !== null) process.stderr.write(banner(depot.generatedAdminPassword));
  for (const url of depot.urls) process.stderr.write(`depot: listening on ${url}\n`);
  onListening();
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'signal received');
    void depot.shutdown(0);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled promise rejection'));
  const code = await depot.done;
  await flush();
  return code;
}
