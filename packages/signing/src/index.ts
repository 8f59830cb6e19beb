import { DepotError, type FormatContext, isDepotError, type RecordView, recordView } from '@depot/core';
import type * as OpenPgp from 'openpgp';

/** openpgp.js is loaded on first use (a megabyte of code an idle server that signs nothing never needs). */
let loaded: Promise<typeof OpenPgp> | undefined;
const pgp = (): Promise<typeof OpenPgp> => {
  loaded ??= import('openpgp');
  return loaded;
};

/** A repository's signing key as kept in KV: the private key sealed with the server secret. */
interface KeyRecord {
  readonly sealed: string;
  readonly public_armored: string;
  readonly fingerprint: string;
  readonly created_at: string;
}

/** A usable key: the decrypted private key and the public key in both encodings. */
export interface SigningKey {
  readonly privateKey: OpenPgp.PrivateKey;
  readonly publicArmored: string;
  readonly publicBinary: Uint8Array;
  readonly fingerprint: string;
}

/** Where keys live in the KV namespace of the format that owns them: `key/{repo}/current`. */
export const KEY_PREFIX = 'key/';

/**
 * Signing keys per repository: an Ed25519 OpenPGP key generated on first need (v4, which apt's
 * gpgv and sqv and dnf's GnuPG verify), its private half stored only sealed with the server
 * secret, and kept decrypted in memory so signing never re-decrypts. `purpose` names the format
 * (`apt`, `yum`): it labels the sealed key and the key's user ID.
 */
export class Keyring {
  readonly #records: RecordView<KeyRecord>;
  readonly #held = new Map<string, Promise<SigningKey>>();

  constructor(
    private readonly ctx: FormatContext,
    private readonly purpose: string,
  ) {
    this.#records = recordView<KeyRecord>(ctx.kv, { prefix: KEY_PREFIX, schemaVersion: 1 });
  }

  /** Whether keys can be stored at all (a server secret is configured). */
  get available(): boolean {
    return this.ctx.secrets.available;
  }

  /** The key of repository `repo`, created on first use. */
  key(repo: string): Promise<SigningKey> {
    let held = this.#held.get(repo);
    if (held === undefined) {
      held = this.#load(repo);
      this.#held.set(repo, held);
      held.catch(() => this.#held.delete(repo));
    }
    return held;
  }

  /** Forgets repository `repo`'s key (it was deleted). */
  forget(repo: string): void {
    this.#held.delete(repo);
  }

  async #load(repo: string): Promise<SigningKey> {
    const label = `${this.purpose}-signing-key/${repo}`;
    for (;;) {
      const stored = await this.#records.get(`${repo}/current`);
      if (stored !== null) {
        const armored = new TextDecoder().decode(this.ctx.secrets.open(stored.sealed, label));
        return usable(await (await pgp()).readPrivateKey({ armoredKey: armored }));
      }
      if (!this.ctx.secrets.available) {
        throw new DepotError(
          'STORAGE_UNAVAILABLE',
          `no server secret: ${this.purpose.toUpperCase()} signing keys cannot be stored`,
        );
      }
      const { privateKey } = await (await pgp()).generateKey({
        type: 'ecc',
        curve: 'ed25519Legacy',
        userIDs: [{ name: `Depot ${this.purpose.toUpperCase()} repository ${repo}` }],
        format: 'object',
      });
      const key = await usable(privateKey);
      const record: KeyRecord = {
        sealed: this.ctx.secrets.seal(new TextEncoder().encode(privateKey.armor()), label),
        public_armored: key.publicArmored,
        fingerprint: key.fingerprint,
        created_at: new Date(this.ctx.now()).toISOString(),
      };
      try {
        await this.#records.putIfVersion(`${repo}/current`, record, null);
        return key;
      } catch (err) {
        // Another instance created one first: use theirs.
        if (!isDepotError(err, 'CONFLICT')) throw err;
      }
    }
  }
}

async function usable(privateKey: OpenPgp.PrivateKey): Promise<SigningKey> {
  const publicKey = privateKey.toPublic();
  return {
    privateKey,
    publicArmored: publicKey.armor(),
    publicBinary: publicKey.write(),
    fingerprint: publicKey.getFingerprint().toUpperCase(),
  };
}

/** `text` clear-signed (InRelease). */
export async function clearsign(key: SigningKey, text: string): Promise<string> {
  const openpgp = await pgp();
  const message = await openpgp.createCleartextMessage({ text });
  return openpgp.sign({ message, signingKeys: key.privateKey, format: 'armored' });
}

/** An armored detached signature over `bytes` (APT `Release.gpg`, Yum `repomd.xml.asc`). */
export async function detachSign(key: SigningKey, bytes: Uint8Array): Promise<string> {
  const openpgp = await pgp();
  const message = await openpgp.createMessage({ binary: bytes });
  return openpgp.sign({ message, signingKeys: key.privateKey, detached: true, format: 'armored' });
}
