import { parseVersion } from './version.js';

/** One `retract` directive: a single version (`low === high`) or an inclusive interval. */
export interface Retraction {
  readonly low: string;
  readonly high: string;
}

/** What Depot reads from a go.mod file. */
export interface GoModInfo {
  /** The `module` directive's path, `null` when there is none. */
  readonly module: string | null;
  readonly retract: readonly Retraction[];
}

const stripComment = (line: string): string => {
  const at = line.indexOf('//');
  return (at < 0 ? line : line.slice(0, at)).trim();
};

const unquote = (token: string): string =>
  token.startsWith('"') && token.endsWith('"') && token.length >= 2 ? token.slice(1, -1) : token.replace(/^`|`$/g, '');

function parseRetraction(spec: string): Retraction | null {
  const interval = /^\[\s*([^,\s]+)\s*,\s*([^\]\s]+)\s*\]$/.exec(spec);
  if (interval !== null) {
    const [low, high] = [interval[1] as string, interval[2] as string];
    return parseVersion(low) && parseVersion(high) ? { low, high } : null;
  }
  return parseVersion(spec) ? { low: spec, high: spec } : null;
}

/**
 * Reads the `module` path and `retract` directives of a go.mod file (single lines and blocks);
 * everything else is ignored. Malformed retractions are skipped, as they retract nothing.
 */
export function parseGoMod(text: string): GoModInfo {
  let module: string | null = null;
  const retract: Retraction[] = [];
  let block: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = stripComment(raw);
    if (line === '') continue;
    if (block !== null) {
      if (line === ')') {
        block = null;
        continue;
      }
      if (block === 'retract') {
        const r = parseRetraction(line);
        if (r !== null) retract.push(r);
      } else if (block === 'module' && module === null) module = unquote(line);
      continue;
    }
    const m = /^(\w+)\s*(.*)$/.exec(line);
    if (m === null) continue;
    const [verb, rest] = [m[1] as string, (m[2] as string).trim()];
    if (rest === '(') {
      block = verb;
      continue;
    }
    if (verb === 'module' && module === null) module = unquote(rest);
    else if (verb === 'retract') {
      const r = parseRetraction(rest);
      if (r !== null) retract.push(r);
    }
  }
  return { module, retract };
}

/** The go.mod Go synthesizes for a module without one (`module path`). */
export const syntheticGoMod = (path: string): string => `module ${path}\n`;
