import { badRequest, DepotError, type FormatContext, isDepotError, type RecordView, recordView } from '@depot/core';
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

/** What the admin API shows of a repository's key. */
export interface KeyDescription {
  readonly fingerprint: string;
  readonly public_key: string;
  readonly previous_fingerprint?: string;
}

/** How long a key is used from memory before the store is read again (another instance may have rotated it). */
const RELOAD_MS = 30_000;

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
  readonly #loadedAt = new Map<string, number>();

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

  /** The key of repository `repo`, created on first use; re-read from the store every 30 s (rotation). */
  key(repo: string): Promise<SigningKey> {
    const now = this.ctx.now();
    const at = this.#loadedAt.get(repo) ?? 0;
    let held = this.#held.get(repo);
    if (held === undefined || now - at > RELOAD_MS) {
      const next = this.#load(repo);
      // Keep serving the old key until the new read settles.
      const previous = held;
      held = previous === undefined ? next : next.catch(() => previous);
      this.#held.set(repo, held);
      this.#loadedAt.set(repo, now);
      next.catch(() => {
        if (previous === undefined) this.#held.delete(repo);
      });
    }
    return held;
  }

  /** Forgets repository `repo`'s key (it was deleted). */
  forget(repo: string): void {
    this.#held.delete(repo);
    this.#loadedAt.delete(repo);
  }

  /** Public key and fingerprint of `repo`'s current key (and of the one it replaced, if any). */
  async describe(repo: string): Promise<KeyDescription> {
    const current = await this.key(repo);
    const previous = await this.#records.get(`${repo}/previous`);
    return {
      fingerprint: current.fingerprint,
      public_key: current.publicArmored,
      ...(previous === null ? {} : { previous_fingerprint: previous.fingerprint }),
    };
  }

  /**
   * Replaces `repo`'s key with `armoredPrivateKey` (an unprotected OpenPGP private key that can
   * sign), or with a newly generated one when it is `null` (rotation). The replaced key is kept as
   * `previous` (its fingerprint is reported) so clients can be moved over. `BAD_REQUEST` names
   * what is wrong with an imported key.
   */
  async replace(repo: string, armoredPrivateKey: string | null): Promise<KeyDescription> {
    if (!this.ctx.secrets.available) {
      throw new DepotError(
        'STORAGE_UNAVAILABLE',
        `no server secret: ${this.purpose.toUpperCase()} signing keys cannot be stored`,
      );
    }
    const openpgp = await pgp();
    let privateKey: OpenPgp.PrivateKey;
    if (armoredPrivateKey === null) privateKey = await this.#generate(repo);
    else {
      try {
        privateKey = await openpgp.readPrivateKey({ armoredKey: armoredPrivateKey });
      } catch (err) {
        throw badRequest(`not an armored OpenPGP private key: ${(err as Error).message}`);
      }
      if (!privateKey.isDecrypted()) {
        throw badRequest(
          'the private key is protected by a passphrase: export it without one (gpg --export-secret-keys after removing it)',
        );
      }
      try {
        await privateKey.getSigningKey();
      } catch {
        throw badRequest('the key has no usable signing (sub)key');
      }
    }
    const key = await usable(privateKey);
    const current = await this.#records.get(`${repo}/current`);
    if (current !== null) await this.#records.put(`${repo}/previous`, current);
    await this.#records.put(`${repo}/current`, this.#record(repo, privateKey, key));
    this.#held.set(repo, Promise.resolve(key));
    this.#loadedAt.set(repo, this.ctx.now());
    return {
      fingerprint: key.fingerprint,
      public_key: key.publicArmored,
      ...(current === null ? {} : { previous_fingerprint: current.fingerprint }),
    };
  }

  #label(repo: string): string {
    return `${this.purpose}-signing-key/${repo}`;
  }

  #record(repo: string, privateKey: OpenPgp.PrivateKey, key: SigningKey): KeyRecord {
    return {
      sealed: this.ctx.secrets.seal(new TextEncoder().encode(privateKey.armor()), this.#label(repo)),
      public_armored: key.publicArmored,
      fingerprint: key.fingerprint,
      created_at: new Date(this.ctx.now()).toISOString(),
    };
  }

  async #generate(repo: string): Promise<OpenPgp.PrivateKey> {
    const { privateKey } = await (await pgp()).generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ name: `Depot ${this.purpose.toUpperCase()} repository ${repo}` }],
      format: 'object',
    });
    return privateKey;
  }

  async #load(repo: string): Promise<SigningKey> {
    for (;;) {
      const stored = await this.#records.get(`${repo}/current`);
      if (stored !== null) {
        const armored = new TextDecoder().decode(this.ctx.secrets.open(stored.sealed, this.#label(repo)));
        return usable(await (await pgp()).readPrivateKey({ armoredKey: armored }));
      }
      if (!this.ctx.secrets.available) {
        throw new DepotError(
          'STORAGE_UNAVAILABLE',
          `no server secret: ${this.purpose.toUpperCase()} signing keys cannot be stored`,
        );
      }
      const privateKey = await this.#generate(repo);
      const key = await usable(privateKey);
      try {
        await this.#records.putIfVersion(`${repo}/current`, this.#record(repo, privateKey, key), null);
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
