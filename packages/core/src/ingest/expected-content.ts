/** Digests and size the ingested bytes must match; a mismatch is `DIGEST_MISMATCH` and stores nothing. */
export interface ExpectedContent {
  readonly size?: number;
  readonly sha256?: string;
  readonly sha512?: string;
  readonly sha1?: string;
  readonly md5?: string;
  readonly blake3?: string;
}
