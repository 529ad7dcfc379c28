import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseStat, processTreeCpuMs } from '@/scripts/lib/bench/cpu-usage';

describe('processTreeCpuMs', () => {
  it('counts the CPU of children that already exited (cutime/cstime), as PostgreSQL backends do', async () => {
    // The parent runs a child that burns 600 ms of CPU (whatever else the machine does) and exits (reaped by spawnSync), then idles.
    const script = `
      const { spawnSync } = require('node:child_process');
      spawnSync(process.execPath, ['-e', 'while (process.cpuUsage().user < 600000);']);
      console.log('child done');
      setTimeout(() => {}, 10000);`;
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => parent.stdout!.on('data', (d: Buffer) => d.toString().includes('child done') && resolve()));
      // The child's busy loop is gone from the process table; only the parent's cutime remembers it.
      expect(processTreeCpuMs(parent.pid!)).toBeGreaterThanOrEqual(550);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('parses utime, stime, cutime and cstime after a command name with spaces and parentheses', () => {
    const line = '4242 (postgres: a (b) c) S 100 4242 4242 0 -1 4194560 500 0 0 0 7 3 20 10 20 0 1 0 123 0 0';
    expect(parseStat(line)).toEqual({ ppid: 100, ticks: 7 + 3 + 20 + 10 });
  });
});
