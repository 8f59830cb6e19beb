import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, unavailableSecretBox } from './secret-box.js';

const secret = randomBytes(32);
const text = new TextEncoder().encode('-----BEGIN PGP PRIVATE KEY BLOCK-----');

describe('createSecretBox', () => {
  it('opens what it sealed, and the sealed form hides the plaintext', () => {
    const box = createSecretBox(secret);
    const sealed = box.seal(text, 'apt/signing-key/r1');
    expect(sealed).not.toContain('PGP');
    expect(Buffer.from(box.open(sealed, 'apt/signing-key/r1')).toString()).toBe(
      '-----BEGIN PGP PRIVATE KEY BLOCK-----',
    );
    expect(box.seal(text, 'x')).not.toBe(box.seal(text, 'x'));
  });

  it('refuses another label, another secret, or an altered value', () => {
    const box = createSecretBox(secret);
    const sealed = box.seal(text, 'apt/signing-key/r1');
    expect(() => box.open(sealed, 'apt/signing-key/r2')).toThrow(
      expect.objectContaining({ code: 'DATA_INTEGRITY_ERROR' }),
    );
    expect(() => createSecretBox(randomBytes(32)).open(sealed, 'apt/signing-key/r1')).toThrow(
      expect.objectContaining({ code: 'DATA_INTEGRITY_ERROR' }),
    );
    const flipped = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
    expect(() => box.open(flipped, 'apt/signing-key/r1')).toThrow(
      expect.objectContaining({ code: 'DATA_INTEGRITY_ERROR' }),
    );
    expect(() => box.open('garbage', 'apt/signing-key/r1')).toThrow(
      expect.objectContaining({ code: 'DATA_INTEGRITY_ERROR' }),
    );
  });

  it('refuses a short secret, and the unavailable box names why', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    const none = unavailableSecretBox('set server_secret');
    expect(none.available).toBe(false);
    expect(() => none.seal(text, 'x')).toThrow(/set server_secret/);
  });
});
