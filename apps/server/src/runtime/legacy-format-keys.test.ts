import { noopLogger } from '@depot/core';
import { memoryKvStore } from '@depot/testkit';
import { describe, expect, it } from 'vitest';
import { moveLegacyFormatKeys } from './legacy-format-keys.js';

const enc = new TextEncoder();

describe('moveLegacyFormatKeys', () => {
  it("moves npm pins and Docker upload sessions into their format's namespace, once", async () => {
    const kv = memoryKvStore();
    await kv.put('fmt/npm-pin/cache/left-pad', enc.encode('{"v":1,"d":{"versions":{}}}'));
    await kv.put('upload/1234', enc.encode('{"v":1,"d":{"id":"1234","repo":"hosted","kind":"docker-blob"}}'));
    await kv.put('upload/broken', enc.encode('not json'));
    await kv.put('fmt/npm/hosted/pkg', enc.encode('kept'));
    expect(await moveLegacyFormatKeys(kv, noopLogger)).toBe(2);
    const keys = (await kv.list()).entries.map((e) => e.key);
    expect(keys).toEqual(['fmt/docker/up/hosted/1234', 'fmt/npm/-pin/cache/left-pad', 'fmt/npm/hosted/pkg']);
    expect(await moveLegacyFormatKeys(kv, noopLogger)).toBe(0);
  });
});
