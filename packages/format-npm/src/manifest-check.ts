import { posix } from 'node:path';
import { badRequest } from '@depot/core';
import type { TarballFacts } from './tarball-inspect.js';
import { isObject, type JsonObject } from './types.js';

/** Dependency maps npm resolves and installs from. */
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;
/** Platform gates npm checks before installing. */
const PLATFORM_FIELDS = ['os', 'cpu', 'libc'] as const;
/** Scripts `npm install` runs for a dependency (the rest only run when asked for by name). */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'preprepare', 'prepare', 'postprepare'] as const;
/** The script npm adds when a package ships `binding.gyp` and declares no install hook. */
const GYP_INSTALL = 'node-gyp rebuild';

type Canon = string;

/** `github:user/repo#ref` for the spellings npm's normalisation turns GitHub references into. */
function depSpec(spec: string): string {
  const s = spec.trim();
  const url = /^(?:git\+)?(?:https?|ssh|git):\/\/(?:git@)?github\.com[/:]([^/]+)\/([^#]+?)(?:\.git)?(#.*)?$/.exec(s);
  if (url !== null) return `github:${url[1]}/${url[2]}${url[3] ?? ''}`;
  const short = /^(?:github:)?([A-Za-z0-9][\w.-]*)\/([\w.-]+?)(?:\.git)?(#.*)?$/.exec(s);
  if (short !== null && !s.includes(':', s.startsWith('github:') ? 7 : 0))
    return `github:${short[1]}/${short[2]}${short[3] ?? ''}`;
  return s;
}

function depMap(value: unknown, without: ReadonlySet<string> = new Set()): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!isObject(value)) return out;
  for (const [dep, spec] of Object.entries(value)) {
    if (typeof spec === 'string' && !without.has(dep)) out[dep] = depSpec(spec);
  }
  return out;
}

function canon(value: unknown): Canon {
  if (Array.isArray(value)) return JSON.stringify([...value].map(String).sort());
  if (isObject(value)) return JSON.stringify(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify(value ?? null);
}

/** npm's bin normalisation: a string names the unscoped package; keys are base names, targets relative. */
function binMap(bin: unknown, name: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const source = typeof bin === 'string' ? { [typeof name === 'string' ? posix.basename(name) : '']: bin } : bin;
  if (!isObject(source)) return out;
  for (const [key, target] of Object.entries(source)) {
    const base = posix.join('/', posix.basename(key.replace(/\\|:/g, '/'))).slice(1);
    if (typeof target !== 'string' || base === '') continue;
    const clean = posix.join('/', target.replace(/\\/g, '/')).slice(1);
    if (clean !== '') out[base] = clean;
  }
  return out;
}

function dirBin(manifest: JsonObject): string | undefined {
  const dirs = manifest.directories;
  if (!isObject(dirs) || typeof dirs.bin !== 'string') return undefined;
  return posix.join('/', dirs.bin.replace(/\\/g, '/')).slice(1);
}

/** The bins npm derives from `directories.bin` when `bin` is absent: every file below that folder. */
function binsFromDir(dir: string, files: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const prefix = dir === '' ? '' : `${dir}/`;
  for (const file of files) if (file.startsWith(prefix)) out[posix.basename(file)] = file;
  return out;
}

function bundled(manifest: JsonObject): string[] {
  const value = manifest.bundleDependencies ?? manifest.bundledDependencies;
  if (value === true) return isObject(manifest.dependencies) ? Object.keys(manifest.dependencies) : [];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function platform(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function installScripts(manifest: JsonObject): Record<string, string> {
  const scripts = isObject(manifest.scripts) ? manifest.scripts : {};
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const hook of INSTALL_SCRIPTS) {
    const value = scripts[hook];
    if (typeof value === 'string') out[hook] = value;
  }
  return out;
}

function engines(value: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (isObject(value)) for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The fields of a version manifest whose value changes what `npm install` fetches, links or runs. */
function actedOn(manifest: JsonObject, files: ReadonlySet<string> | undefined): Map<string, Canon> {
  const out = new Map<string, Canon>();
  const optional = new Set(isObject(manifest.optionalDependencies) ? Object.keys(manifest.optionalDependencies) : []);
  out.set('dependencies', canon(depMap(manifest.dependencies, optional)));
  for (const f of DEPENDENCY_FIELDS.slice(1)) out.set(f, canon(depMap(manifest[f])));
  out.set('bundleDependencies', canon(bundled(manifest)));
  for (const f of PLATFORM_FIELDS) out.set(f, canon(platform(manifest[f])));
  out.set('engines', canon(engines(manifest.engines)));
  out.set('directories.bin', canon(dirBin(manifest)));
  const scripts = installScripts(manifest);
  if (files !== undefined && scripts.install === undefined && scripts.preinstall === undefined) {
    if (manifest.gypfile !== false && files.has('binding.gyp')) scripts.install = GYP_INSTALL;
  }
  out.set('scripts', canon(scripts));
  const bins = binMap(manifest.bin, manifest.name);
  const dir = dirBin(manifest);
  const derived = files !== undefined && manifest.bin === undefined && dir !== undefined;
  out.set('bin', canon(derived ? binsFromDir(dir, files) : bins));
  return out;
}

/**
 * Refuses manifest confusion: the `package.json` inside the tarball must agree with the version
 * document of the publish on every field npm acts on when installing (dependencies of every kind,
 * bundled dependencies, install scripts, bins, `directories.bin`, os/cpu/libc, engines), after
 * the normalisations `npm publish` applies to the document it sends (bin strings become objects,
 * `binding.gyp` adds `install: node-gyp rebuild`, `directories.bin` expands into `bin`, optional
 * dependencies leave `dependencies`, GitHub dependency spellings). `BAD_REQUEST` names the fields.
 */
export function checkManifest(document: JsonObject, tarball: TarballFacts): void {
  const fromTarball = actedOn(tarball.manifest, tarball.files);
  const fromDocument = actedOn(document, undefined);
  const differs: string[] = [];
  for (const [field, value] of fromTarball) {
    if (fromDocument.get(field) === value) continue;
    // A document from a client that does not expand `directories.bin` may carry no bins at all.
    if (field === 'bin' && document.bin === undefined && tarball.manifest.bin === undefined) continue;
    // A client that does not add the node-gyp hook sends the scripts as written.
    if (field === 'scripts' && fromDocument.get(field) === canon(installScripts(tarball.manifest))) continue;
    differs.push(field);
  }
  if (differs.length > 0) {
    throw badRequest(`package.json in the tarball differs from the publish document in: ${differs.join(', ')}`, {
      fields: differs,
    });
  }
}
