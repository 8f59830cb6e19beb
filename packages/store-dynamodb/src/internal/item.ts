import { randomBytes } from 'node:crypto';
import { badRequest, DepotError, type KvEntry } from '@depot/core';

/** DynamoDB's limits on a sort key (1024 bytes) and on a whole item (400 KB). */
const MAX_KEY_BYTES = 1024;
const MAX_ITEM_BYTES = 400 * 1024;
/** Room for the attribute names, the partition value and the version. */
const ITEM_OVERHEAD = 512;

/** What one item holds: `pk` (the store's partition), `sk` (the key), `v` (the bytes), `ver` (the version). */
export interface StoredItem {
  readonly pk: string;
  readonly sk: string;
  readonly v?: Uint8Array;
  readonly ver: string;
}

/** A fresh opaque version: 16 random hex digits. */
export const newVersion = (): string => randomBytes(8).toString('hex');

/** Refuses keys DynamoDB cannot store as a sort key (empty, over 1024 UTF-8 bytes). */
export function checkKey(key: string): void {
  const size = Buffer.byteLength(key, 'utf8');
  if (size === 0 || size > MAX_KEY_BYTES) {
    throw badRequest(`dynamodb KV store: keys are 1..${MAX_KEY_BYTES} UTF-8 bytes, got ${size}`, { keyBytes: size });
  }
}

/** Refuses values that would make an item larger than DynamoDB allows. */
export function checkValue(key: string, value: Uint8Array): void {
  const size = value.byteLength + Buffer.byteLength(key, 'utf8') + ITEM_OVERHEAD;
  if (size > MAX_ITEM_BYTES) {
    throw new DepotError('PAYLOAD_TOO_LARGE', `dynamodb KV store: a value of ${value.byteLength} bytes is too large`, {
      details: { valueBytes: value.byteLength, maxItemBytes: MAX_ITEM_BYTES },
    });
  }
}

/** The bytes of a stored item (a copy; an absent attribute is an empty value). */
export const itemBytes = (item: Partial<StoredItem>): Uint8Array =>
  item.v === undefined ? new Uint8Array(0) : new Uint8Array(item.v);

/** An item as a list entry. */
export const entryOf = (item: StoredItem): KvEntry => ({ key: item.sk, value: itemBytes(item), version: item.ver });
