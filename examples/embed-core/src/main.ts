import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEmbedExample } from './embed.js';

// `pnpm --filter depot-example-embed-core start [DATA_DIR]` (default: a new temp directory).
const dataDir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'depot-embed-'));
await runEmbedExample(dataDir, (line) => process.stdout.write(`${line}\n`));
process.stdout.write(`data in ${dataDir}\n`);
