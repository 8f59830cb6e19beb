import { badRequest, DepotError } from '@depot/core';
import { tarballFileName } from './names.js';
import { isObject, type JsonObject } from './types.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The tarball a publish body carries, decoded. */
export interface DecodedAttachment {
  readonly bytes: Uint8Array;
}

/**
 * Finds the one tarball attachment of a publish body and decodes it. The key must be the version's
 * tarball name (`{name}-{version}.tgz`, npm also sends the scoped `@s/n-1.0.0.tgz`); a `length`
 * above `limit` is refused before decoding and a `length` that disagrees with the data is 400.
 */
export function decodeAttachment(
  attachments: JsonObject,
  name: string,
  version: string,
  limit: number,
): DecodedAttachment {
  const keys = Object.keys(attachments);
  const accepted = new Set([tarballFileName(name, version), `${name}-${version}.tgz`]);
  if (keys.length !== 1 || !accepted.has(keys[0] ?? '')) {
    throw badRequest(`_attachments must hold exactly the tarball ${tarballFileName(name, version)}`);
  }
  const attachment = attachments[keys[0] ?? ''];
  if (!isObject(attachment) || typeof attachment.data !== 'string') throw badRequest('attachment has no base64 data');
  const { data, length } = attachment;
  if (length !== undefined) {
    if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0)
      throw badRequest('attachment length is invalid');
    if (length > limit) throw new DepotError('PAYLOAD_TOO_LARGE', `attachment exceeds ${limit} bytes`);
  }
  if (data.length % 4 !== 0 || !BASE64.test(data)) throw badRequest('attachment data is not valid base64');
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  const decodedLength = (data.length / 4) * 3 - padding;
  if (length !== undefined && length !== decodedLength) throw badRequest('attachment length does not match its data');
  if (decodedLength === 0) throw badRequest('attachment is empty');
  // A Buffer is a Uint8Array: no second copy of the tarball.
  return { bytes: Buffer.from(data, 'base64') };
}
