import { createHash, type Hash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { ContentHashes, ExtraHashAlgorithm } from '../kv/records.js';

/** An incremental hash: feed chunks with `update`, read the lowercase hex digest once. */
export interface Hasher {
  update(chunk: Uint8Array): void;
  digestHex(): string;
}

/** BLAKE3 plus any requested extra algorithms, all fed in one pass over the bytes. */
export interface MultiHasher {
  update(chunk: Uint8Array): void;
  /** Finishes every hash; call once. */
  digest(): ContentHashes;
}

interface NativeBlake3 {
  update(input: Uint8Array): unknown;
  digest(format?: string): string;
}
type NativeCtor = new () => NativeBlake3;
interface WasmHasher {
  init(): WasmHasher;
  update(data: Uint8Array): WasmHasher;
  digest(format?: 'hex'): string;
  save(): Uint8Array;
  load(state: Uint8Array): WasmHasher;
}

/**
 * Loads the native BLAKE3 (`@napi-rs/blake-hash`, see docs/decisions/hashing.md); when the
 * prebuilt binary is missing for this platform we fall back to hash-wasm. hash-wasm creates
 * hashers asynchronously, so one instance is created at module load (top-level await) and shared:
 * each logical hasher keeps its own saved state and swaps it in on use. JavaScript runs `update`
 * synchronously, so two hashers never interleave inside the instance.
 */
function loadNative(): NativeCtor | null {
  if (process.env.DEPOT_BLAKE3 === 'wasm') return null;
  try {
    const mod = createRequire(import.meta.url)('@napi-rs/blake-hash') as { Blake3Hasher?: NativeCtor };
    if (typeof mod.Blake3Hasher !== 'function') return null;
    // Probe once: a broken binary fails here rather than on the first upload.
    new mod.Blake3Hasher().update(new Uint8Array(0));
    return mod.Blake3Hasher;
  } catch {
    return null;
  }
}

const Native = loadNative();
const sharedWasm: WasmHasher | null =
  Native === null ? ((await (await import('hash-wasm')).createBLAKE3()) as WasmHasher) : null;
/** The logical hasher whose state is currently loaded in {@link sharedWasm}. */
let wasmOwner: object | null = null;

function wasmHasher(wasm: WasmHasher): Hasher {
  const token = {};
  let state = wasm.init().save();
  wasmOwner = token;
  const activate = (): void => {
    if (wasmOwner !== token) wasm.load(state);
    wasmOwner = token;
  };
  return {
    update(chunk) {
      activate();
      wasm.update(chunk);
      state = wasm.save();
    },
    digestHex() {
      activate();
      return wasm.digest('hex');
    },
  };
}

/** Which BLAKE3 implementation this process uses. */
export function blake3Implementation(): 'native' | 'wasm' {
  return Native === null ? 'wasm' : 'native';
}

/** A new incremental BLAKE3 hasher (synchronous; native when available, wasm otherwise). */
export function createBlake3(): Hasher {
  if (Native === null) {
    if (sharedWasm === null) throw new Error('no BLAKE3 implementation loaded');
    return wasmHasher(sharedWasm);
  }
  const h = new Native();
  return {
    update(chunk) {
      h.update(chunk);
    },
    digestHex: () => h.digest('hex'),
  };
}

/** BLAKE3 of `bytes` as lowercase hex. */
export function blake3Hex(bytes: Uint8Array): string {
  const h = createBlake3();
  h.update(bytes);
  return h.digestHex();
}

/** A hasher computing BLAKE3 always, plus each of `algorithms` (node:crypto), in one pass. */
export function createMultiHasher(algorithms: readonly ExtraHashAlgorithm[] = []): MultiHasher {
  const blake3 = createBlake3();
  const extras: [ExtraHashAlgorithm, Hash][] = [...new Set(algorithms)].map((a) => [a, createHash(a)]);
  return {
    update(chunk) {
      blake3.update(chunk);
      for (const [, h] of extras) h.update(chunk);
    },
    digest() {
      const out: { -readonly [K in keyof ContentHashes]: ContentHashes[K] } = { blake3: blake3.digestHex() };
      for (const [name, h] of extras) out[name] = h.digest('hex');
      return out;
    },
  };
}
