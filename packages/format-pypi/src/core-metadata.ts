import { badRequest } from '@depot/core';

/** The core metadata fields Depot reads (`METADATA` / `PKG-INFO`). */
export interface CoreMetadata {
  readonly metadataVersion?: string;
  readonly name?: string;
  readonly version?: string;
  readonly summary?: string;
  readonly requiresPython?: string;
}

/**
 * Parses the RFC 822 header block of a core metadata file (up to the first blank line; lines that
 * start with white space continue the previous field). Throws `BAD_REQUEST` when it is not UTF-8.
 */
export function parseCoreMetadata(bytes: Uint8Array): CoreMetadata {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badRequest('core metadata is not valid UTF-8');
  }
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if (/^[ \t]/.test(line)) {
      if (last !== undefined) fields.set(last, `${fields.get(last) ?? ''}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    // Single-use fields: the first occurrence counts.
    if (!fields.has(last)) fields.set(last, line.slice(colon + 1).trim());
  }
  const get = (key: string): string | undefined => {
    const value = fields.get(key);
    return value === undefined || value === '' || value === 'UNKNOWN' ? undefined : value;
  };
  const out: Record<string, string> = {};
  const put = (key: keyof CoreMetadata, value: string | undefined): void => {
    if (value !== undefined) out[key] = value;
  };
  put('metadataVersion', get('metadata-version'));
  put('name', get('name'));
  put('version', get('version'));
  put('summary', get('summary'));
  put('requiresPython', get('requires-python'));
  return out as CoreMetadata;
}
