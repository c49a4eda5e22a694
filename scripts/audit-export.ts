import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseCreationDate } from '../src/domain/parse/dates';
import { createStore } from '../src/store/create-store';
import { auditToCsv } from '../src/store/audit-csv';

/**
 * `npm run audit:export -- --since <date> [--out file.csv]`: writes the audit ledger as CSV from
 * the store the bot is configured with (DATA_DIR for SQLite, or STORAGE_BACKEND=table with
 * AZURE_STORAGE_CONNECTION_STRING). Exit 2 with a message on bad arguments.
 */
async function main(argv: string[]): Promise<number> {
  let since: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--since') since = argv[++i];
    else if (argv[i] === '--out') out = argv[++i];
    else {
      process.stderr.write(`Unknown argument "${argv[i]}". Usage: npm run audit:export -- --since <YYYY-MM-DD> [--out file.csv]\n`);
      return 2;
    }
  }
  let sinceIso: string | undefined;
  if (since !== undefined) {
    const parsed = parseCreationDate(since);
    if (!parsed.ok) {
      process.stderr.write(`--since: ${parsed.message}\n`);
      return 2;
    }
    sinceIso = parsed.iso;
  }
  const env = process.env;
  const kind = (env.STORAGE_BACKEND ?? 'sqlite').toLowerCase();
  if (kind === 'table' && !env.AZURE_STORAGE_CONNECTION_STRING) {
    process.stderr.write('AZURE_STORAGE_CONNECTION_STRING is required when STORAGE_BACKEND is table\n');
    return 2;
  }
  const store = await createStore(
    kind === 'table'
      ? { kind: 'table', connectionString: env.AZURE_STORAGE_CONNECTION_STRING! }
      : { kind: 'sqlite', dataDir: path.resolve(env.DATA_DIR ?? './data') },
  );
  try {
    const csv = auditToCsv(await store.queryLedger({ since: sinceIso, limit: Infinity }));
    if (out) writeFileSync(out, csv);
    else process.stdout.write(csv);
  } finally {
    await store.close();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`Export failed: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
