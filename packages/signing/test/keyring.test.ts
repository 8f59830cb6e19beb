import { randomBytes } from 'node:crypto';
import { createSecretBox, type FormatContext, memoryKvStore, unavailableSecretBox } from '@depot/core';
import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { detachSign, Keyring } from '../src/index.js';

const context = (secrets = createSecretBox(randomBytes(32))) =>
  ({ kv: memoryKvStore(), secrets, now: () => Date.parse('2026-12-05T00:00:00Z') }) as unknown as FormatContext;

describe('Keyring', () => {
  it('creates one key per repository, keeps it sealed, and signs what its public key verifies', async () => {
    const ctx = context();
    const keys = new Keyring(ctx, 'yum');
    const a = await keys.key('repo-a');
    expect(await keys.key('repo-a')).toBe(a);
    // A second keyring over the same store (another instance) reads the same key.
    expect((await new Keyring(ctx, 'yum').key('repo-a')).fingerprint).toBe(a.fingerprint);
    expect((await keys.key('repo-b')).fingerprint).not.toBe(a.fingerprint);
    expect(a.publicArmored).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    const stored = new TextDecoder().decode((await ctx.kv.get('key/repo-a/current')) ?? new Uint8Array());
    expect(stored).not.toContain('PRIVATE KEY');

    const bytes = new TextEncoder().encode('<repomd/>\n');
    const signature = await detachSign(a, bytes);
    const verified = await openpgp.verify({
      message: await openpgp.createMessage({ binary: bytes }),
      signature: await openpgp.readSignature({ armoredSignature: signature }),
      verificationKeys: await openpgp.readKey({ armoredKey: a.publicArmored }),
    });
    await expect(verified.signatures[0]?.verified).resolves.toBe(true);
  });

  it('without a server secret, says so instead of storing a key in the clear', async () => {
    const keys = new Keyring(context(unavailableSecretBox('set DEPOT_SERVER_SECRET')), 'yum');
    expect(keys.available).toBe(false);
    await expect(keys.key('repo')).rejects.toThrow(/no server secret: YUM signing keys cannot be stored/);
  });
});
