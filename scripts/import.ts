/**
 * `npm run import -- --file cases.xlsx --mapping legacy.json [--dry-run] [--database sqlite:…]`
 *
 * Imports existing cases (R37) in-process against the configured database (DATABASE_URL or
 * --database), the same use case as POST /api/imports, without starting the HTTP server.
 *
 *   --file <path>        .xlsx or .csv (UTF-8 with or without BOM, or GBK)
 *   --mapping <path|name> a mapping JSON file, or the name of a mapping saved in the database;
 *                        without it the suggested mapping is used
 *   --suggest            print the suggested mapping as JSON (edit it, save it as legacy.json) and stop
 *   --dry-run            validate every row, write only the report
 *   --process <key>      the process (default: the one that starts with the mapping's form)
 *   --form <key>         the form (default: the mapping's, else the process's start form)
 *   --database <url>     sqlite:<path> or postgres://… (default: DATABASE_URL, else ./data/loopdesk.sqlite)
 *   --report <path>      where to write the XLSX report (default: <file>-report.xlsx when there are problems)
 *   --as <username>      who the import is recorded as (default: import-cli)
 *   --lang zh-CN|en      language of messages and the report (default: from LANG)
 */
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../engine/config.ts';
import { systemClock } from '../engine/core/clock.ts';
import { LoopdeskError } from '../engine/core/errors.ts';
import { loadShippedDefinitions } from '../engine/definitions/loadShipped.ts';
import { builtInHandlers } from '../engine/handlers/index.ts';
import { type ImportProgress, importReport, parseMapping, startImport, suggestForFile } from '../engine/importer/index.ts';
import { ensureKnowledgeSearch } from '../engine/knowledge/searchIndex.ts';
import { openDatabase } from '../engine/store/schema.ts';
import { loadCalendars } from '../engine/usecases/calendars.ts';
import { SYSTEM, createContext } from '../engine/usecases/context.ts';

const { values: args } = parseArgs({
  options: {
    file: { type: 'string' },
    mapping: { type: 'string' },
    suggest: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    process: { type: 'string' },
    form: { type: 'string' },
    database: { type: 'string' },
    report: { type: 'string' },
    as: { type: 'string', default: 'import-cli' },
    lang: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help || !args.file) {
  console.error('usage: npm run import -- --file cases.xlsx [--mapping legacy.json | --suggest] [--dry-run] [--database sqlite:…] [--process key] [--form key] [--report out.xlsx]');
  process.exit(args.help ? 0 : 2);
}

// `npm run` starts in the package root; paths are the caller's, from where they typed the command.
const here = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);
const lang = (args.lang ?? process.env.LANG ?? '').toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
/** A relative SQLite path in --database is the caller's too. */
const databaseUrl = args.database?.startsWith('sqlite:') ? `sqlite:${here(args.database.slice('sqlite:'.length))}` : args.database;
const config = loadConfig(databaseUrl ? { ...process.env, DATABASE_URL: databaseUrl } : process.env);
const file = readFileSync(here(args.file));
const db = await openDatabase(config.database);
const ctx = createContext(db, systemClock, builtInHandlers());
const actor = { ...SYSTEM, id: `cli:${args.as}`, username: args.as! };

/** Plain `\r` progress on a terminal; a line per tenth otherwise (logs, CI). */
function progressPrinter() {
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  return (p: ImportProgress) => {
    const share = p.totalRows ? p.rowsDone / p.totalRows : 1;
    const width = 30;
    const filled = Math.round(share * width);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.rowsDone.toLocaleString()}/${p.totalRows.toLocaleString()} rows  ${args['dry-run'] ? 'valid' : 'imported'} ${p.imported.toLocaleString()}  duplicates ${p.duplicates.toLocaleString()}  refused ${p.invalid.toLocaleString()}`;
    if (tty) process.stderr.write(`\r${line}`);
    else if (Math.floor(share * 10) !== lastTenth) {
      lastTenth = Math.floor(share * 10);
      process.stderr.write(`${line}\n`);
    }
  };
}

let exitCode = 0;
try {
  await ensureKnowledgeSearch(db);
  await loadCalendars(ctx);
  const published = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM process_definitions WHERE status = 'published'");
  // An empty database gets the shipped definitions, exactly as the server's first start would.
  if (!Number(published?.n)) await loadShippedDefinitions(ctx, config.definitionsDir);

  if (args.suggest) {
    const s = await suggestForFile(ctx, { file, formKey: args.form, processKey: args.process }, lang);
    console.log(JSON.stringify({ name: basename(args.file, extname(args.file)), formKey: s.formKey, processKey: s.processKey, columns: s.columns, values: s.values }, null, 2));
    if (s.missingRequired.length) console.error(`required fields without a column: ${s.missingRequired.join(', ')}`);
    for (const [target, list] of Object.entries(s.unresolvedValues)) console.error(`values of ${target} not understood: ${list.join(', ')}`);
  } else {
    const mapping = args.mapping ? (existsSync(here(args.mapping)) ? parseMapping(JSON.parse(readFileSync(here(args.mapping), 'utf8')), lang) : args.mapping) : undefined;
    const { job, done } = await startImport(
      ctx,
      { file, fileName: basename(args.file), processKey: args.process, formKey: args.form, mapping, dryRun: args['dry-run'] },
      actor,
      { lang, onProgress: progressPrinter() },
    );
    console.error(`${args['dry-run'] ? 'dry run' : 'import'} ${job.id}: ${job.totalRows} rows into ${job.processKey} (form ${job.formKey} v${job.formVersion}), database ${config.database.kind}`);
    const started = Date.now();
    const result = await done;
    if (process.stderr.isTTY) process.stderr.write('\n');
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `${result.state}: ${result.imported} ${result.dryRun ? 'valid' : 'imported'}, ${result.duplicates} already imported, ${result.invalid} refused, ${result.issueCount} problems in ${seconds.toFixed(1)} s (${Math.round(result.totalRows / Math.max(seconds, 0.001))} rows/s)`,
    );
    if (result.error) console.error(result.error);
    if (result.issueCount > 0 || args.report) {
      const target = here(args.report ?? `${basename(args.file, extname(args.file))}-report.xlsx`);
      const report = await importReport(ctx, job.id, lang);
      await pipeline(report.stream, createWriteStream(target));
      console.log(`report: ${target}`);
    }
    if (result.state !== 'done') exitCode = 1;
  }
} catch (err) {
  exitCode = 1;
  if (err instanceof LoopdeskError) {
    console.error(`${err.code}: ${err.message}`);
    for (const e of err.errors ?? []) console.error(`  ${e.path ?? ''} ${e.message}`);
  } else console.error(err);
} finally {
  await db.close();
}
process.exit(exitCode);
