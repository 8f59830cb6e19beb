const cache = new WeakMap<object, { regex: RegExp; method: string }[]>();

function compile(path: string): RegExp {
  const pattern = path
    .split('/')
    .map((seg) => {
      if (seg === '*') return '.*';
      if (seg.startsWith(':')) return '[^/]+';
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${pattern}/?$`);
}

/**
 * The methods registered for `path` (for a 405 with `Allow` when the method is wrong). Only
 * concrete routes count; `use()` middleware (method `ALL`) does not.
 */
export function allowedMethods(
  app: { readonly routes: readonly { path: string; method: string }[] },
  path: string,
): string[] {
  let table = cache.get(app);
  if (table === undefined) {
    table = app.routes
      .filter((r) => r.method !== 'ALL' && !r.path.endsWith('*'))
      .map((r) => ({ regex: compile(r.path), method: r.method }));
    cache.set(app, table);
  }
  const methods = new Set<string>();
  for (const route of table) if (route.regex.test(path)) methods.add(route.method);
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
