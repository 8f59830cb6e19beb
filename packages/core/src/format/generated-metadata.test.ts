import { describe, expect, it } from 'vitest';
import type { KvStore } from '../kv/kv-store.js';
import { memoryKvStore } from '../kv/memory-kv-store.js';
import { generatedMetadata } from './generated-metadata.js';

/** A KV store that counts reads of built content (`…/content/…` keys). */
function countingKv(): { kv: KvStore; contentReads: () => number } {
  const inner = memoryKvStore();
  let reads = 0;
  const kv = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'get') {
        return (key: string) => {
          if (key.includes('/content/')) reads++;
          return target.get(key);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { kv, contentReads: () => reads };
}

describe('generatedMetadata content in memory', () => {
  it('serves fresh content without reading it from the KV store again; a rebuild replaces it', async () => {
    const { kv, contentReads } = countingKv();
    let builds = 0;
    const meta = generatedMetadata({ kv, prefix: 'm/', build: async () => `index ${++builds}` });
    const text = async () => new TextDecoder().decode(await meta.read('r'));
    expect(await text()).toBe('index 1');
    for (let i = 0; i < 5; i++) expect(await text()).toBe('index 1');
    expect(contentReads()).toBe(0);
    await meta.markStale('r');
    expect(await text()).toBe('index 2');
    expect(await text()).toBe('index 2');
    expect(contentReads()).toBe(0);
  });

  it('a second instance over the same store (another process) reads the content once, then holds it', async () => {
    const { kv, contentReads } = countingKv();
    const build = async () => 'shared index';
    await generatedMetadata({ kv, prefix: 'm/', build }).read('r');
    const other = generatedMetadata({ kv, prefix: 'm/', build: async () => 'never built here' });
    expect(new TextDecoder().decode(await other.read('r'))).toBe('shared index');
    await other.read('r');
    expect(contentReads()).toBe(1);
  });
});
