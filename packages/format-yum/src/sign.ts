import { detachSign } from '@depot/signing';
import type { YumEnv } from './env.js';
import type { Repodata } from './repodata.js';

/**
 * `repodata` plus `repomd.xml.asc` (a detached signature over `repomd.xml` with `repo`'s key) and
 * `repomd.xml.key` (that key, armored). Without a server secret nothing can be signed: the
 * repodata is served unsigned (clients with `repo_gpgcheck=1` then refuse it, as they should).
 */
export async function signRepodata(env: YumEnv, repo: string, repodata: Repodata): Promise<Repodata> {
  if (!env.keys.available) return repodata;
  const key = await env.keys.key(repo);
  const signed = new Map(repodata);
  signed.set('repomd.xml.asc', Buffer.from(await detachSign(key, repodata.get('repomd.xml') as Uint8Array)));
  signed.set('repomd.xml.key', Buffer.from(key.publicArmored));
  return signed;
}
