import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/build-once.js';

// No module of the server or of a package imports itself back through others at runtime: an ES
// module cycle runs one of its members before the other has finished evaluating (its exports still
// in the temporal dead zone), which breaks as soon as a top-level statement uses an import.
// Type-only imports are erased by the compiler and cannot form such a loop.

/** The source roots checked: the server, every package and every example. */
function sourceRoots(): string[] {
  const under = (parent: string): string[] =>
    readdirSync(join(REPO_ROOT, parent)).map((name) => join(REPO_ROOT, parent, name, 'src'));
  return [join(REPO_ROOT, 'apps/server/src'), ...under('packages'), ...under('examples')].filter((d) => existsSync(d));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Whether an import or export declaration only brings in types. */
function typeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    const clause = node.exportClause;
    return clause !== undefined && ts.isNamedExports(clause) && clause.elements.every((e) => e.isTypeOnly);
  }
  const clause = node.importClause;
  if (clause === undefined) return false; // a side-effect import runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name !== undefined) return false;
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.every((e) => e.isTypeOnly);
}

/** The relative modules `file` imports at runtime, as absolute `.ts` paths. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  for (const node of source.statements) {
    if (!ts.isImportDeclaration(node) && !ts.isExportDeclaration(node)) continue;
    const spec = node.moduleSpecifier;
    if (spec === undefined || !ts.isStringLiteral(spec) || !spec.text.startsWith('.') || typeOnly(node)) continue;
    const target = resolve(dirname(file), spec.text.replace(/\.js$/, '.ts'));
    out.push(existsSync(target) ? target : join(target.replace(/\.ts$/, ''), 'index.ts'));
  }
  return out;
}

/** Every import cycle among `files`, each as the list of its members (Tarjan's strongly connected components). */
function cycles(files: readonly string[]): string[][] {
  const graph = new Map(files.map((f) => [f, runtimeImports(f).filter((t) => files.includes(t))]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) ?? 0);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const members: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) members.push(w);
    if (members.length > 1 || graph.get(v)?.includes(v)) found.push(members.map((m) => relative(REPO_ROOT, m)).sort());
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return found;
}

describe('module import graph', () => {
  it.each(sourceRoots().map((root) => [relative(REPO_ROOT, root), root]))(
    '%s has no runtime import cycle',
    (_, root) => {
      const files = sourceFiles(root);
      expect(files.length).toBeGreaterThan(0);
      expect(cycles(files)).toEqual([]);
    },
  );
});
