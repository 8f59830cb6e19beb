import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Fails with how to install it when cargo is missing. */
export async function requireCargo(): Promise<void> {
  try {
    await run('cargo', ['--version']);
  } catch {
    throw new Error('cargo is missing: install Rust (rustup, or the Debian package cargo) to run the Cargo tests');
  }
}

/** A scratch cargo: its own `CARGO_HOME` naming Depot's registries, tokens through the environment. */
export interface CargoSandbox {
  readonly root: string;
  /** Runs `cargo args…` in `cwd`; rejects with cargo's output on failure, resolves with it otherwise. */
  cargo(cwd: string, args: readonly string[]): Promise<string>;
  /** Creates a library or binary crate `name` at `version` under the root, depending on `deps`. */
  newCrate(name: string, version: string, options?: { bin?: boolean; deps?: Record<string, string> }): string;
}

/**
 * A {@link CargoSandbox} under `root` whose registries are `registries` (name → sparse index URL),
 * each authenticated with `token` (a Depot JWT, sent raw as cargo does).
 */
export function cargoSandbox(root: string, registries: Readonly<Record<string, string>>, token: string): CargoSandbox {
  const home = join(root, 'cargo-home');
  mkdirSync(home, { recursive: true });
  const config = Object.entries(registries)
    .map(([name, url]) => `[registries.${name}]\nindex = "sparse+${url}"\n`)
    .join('\n');
  writeFileSync(join(home, 'config.toml'), `${config}\n[registry]\nglobal-credential-providers = ["cargo:token"]\n`);
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    CARGO_HOME: home,
    CARGO_TERM_COLOR: 'never',
    CARGO_TARGET_DIR: join(root, 'target'),
  };
  for (const name of Object.keys(registries)) {
    env[`CARGO_REGISTRIES_${name.toUpperCase().replaceAll('-', '_')}_TOKEN`] = token;
  }
  return {
    root,
    async cargo(cwd, args) {
      try {
        const { stdout, stderr } = await run('cargo', [...args], { cwd, env, timeout: 240_000 });
        return `${stdout}${stderr}`;
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        throw new Error(`cargo ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
      }
    },
    newCrate(name, version, options = {}) {
      const dir = join(root, `${name}-src`);
      mkdirSync(join(dir, 'src'), { recursive: true });
      const deps = Object.entries(options.deps ?? {})
        .map(([dep, spec]) => `${dep} = ${spec}\n`)
        .join('');
      writeFileSync(
        join(dir, 'Cargo.toml'),
        `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\ndescription = "the ${name} crate"\nlicense = "MIT"\n\n[dependencies]\n${deps}`,
      );
      if (options.bin === true)
        writeFileSync(join(dir, 'src', 'main.rs'), 'fn main() { println!("{}", beta::greet()); }\n');
      else writeFileSync(join(dir, 'src', 'lib.rs'), '');
      return dir;
    },
  };
}

/** Replaces a crate's `src/lib.rs`. */
export const writeLib = (dir: string, source: string): void => writeFileSync(join(dir, 'src', 'lib.rs'), source);
/** The `Cargo.lock` of a built project. */
export const lockOf = (dir: string): string => readFileSync(join(dir, 'Cargo.lock'), 'utf8');
