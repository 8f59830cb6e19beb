const encoder = new TextEncoder();

/**
 * Compares strings by their UTF-8 bytes — the order KV stores list keys in. JavaScript's `<`
 * compares UTF-16 code units, which disagrees for characters above U+FFFF vs U+E000–U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = (x[i] as number) - (y[i] as number);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
