import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The depot installation's own directory (`apps/server` in the repository, the package when installed). */
export const SERVER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Conditions a plugin package's `exports` may use for the server's `import()`, in Node's spirit. */
const CONDITIONS = new Set(['import', 'node', 'default']);

type ExportsField = string | null | readonly ExportsField[] | { readonly [key: string]: ExportsField };

/** Picks the entry of an `exports` value for an ESM `import()`; `undefined` when none fits. */
function pickExport(value: ExportsField | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const item of value as readonly ExportsField[]) {
      const picked = pickExport(item);
      if (picked !== undefined) return picked;
    }
    return undefined;
  }
  const record = value as { readonly [key: string]: ExportsField };
  if ('.' in record) return pickExport(record['.']);
  for (const [key, sub] of Object.entries(record)) {
    if (!CONDITIONS.has(key)) continue;
    const picked = pickExport(sub);
    if (picked !== undefined) return picked;
  }
  return undefined;
}

/** The module file a package directory's `package.json` points at (`exports["."]`, else `main`, else `index.js`). */
function packageEntry(packageDir: string): string {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    exports?: ExportsField;
    main?: string;
  };
  const entry = pkg.exports !== undefined ? pickExport(pkg.exports) : (pkg.main ?? 'index.js');
  if (entry === undefined) throw new Error(`its package.json "exports" has no import entry for "."`);
  return join(packageDir, entry);
}

/** `node_modules/<name>` in `start` or one of its parents, like Node's lookup; `undefined` when absent. */
function findPackageDir(name: string, start: string): string | undefined {
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Where a `[[plugins]] package` value points: a path (`./x.js`, `/opt/x`, relative to the config
 * file's directory) or a package name looked up in `node_modules` from `baseDir` upwards, then from
 * the depot installation upwards. `undefined` when not found; throws when found but unusable.
 */
export function resolvePluginModule(spec: string, baseDir: string): string | undefined {
  const isPath = spec.startsWith('.') || isAbsolute(spec);
  if (isPath) {
    const target = resolve(baseDir, spec);
    if (!existsSync(target)) return undefined;
    return statSync(target).isDirectory() ? packageEntry(target) : target;
  }
  for (const start of [baseDir, SERVER_DIR]) {
    const dir = findPackageDir(spec, start);
    if (dir !== undefined) return packageEntry(realpathSync(dir));
  }
  return undefined;
}

/** Imports the module file `file` (an ES module or CommonJS). */
export async function importModule(file: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(realpathSync(file)).href)) as Record<string, unknown>;
}
