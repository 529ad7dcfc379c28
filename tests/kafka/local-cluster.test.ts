import { describe, expect, it, onTestFinished } from 'vitest';
import { spawnWorker, waitFor } from '../helpers/kafka';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('local Apache Kafka launcher', () => {
  it('leaves no JVM behind when the process that started it is SIGKILLed', { timeout: 180_000 }, async () => {
    const parent = spawnWorker('tests/helpers/kafka-parent.ts', {});
    onTestFinished(() => { if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL'); });
    const line = await waitFor('the broker started', () => parent.output().split('\n').find((l) => l.startsWith('READY ')), 150_000, 100);
    const jvm = Number(line.split(' ')[1]);
    onTestFinished(() => { if (alive(jvm)) process.kill(jvm, 'SIGKILL'); });
    expect(alive(jvm)).toBe(true);
    parent.kill('SIGKILL'); // no cleanup code runs in the parent
    await new Promise((r) => parent.once('exit', r));
    // The JVM is in its own process group, so only the watchdog on the parent's pipe can stop it.
    await waitFor('the JVM gone', () => !alive(jvm), 40_000, 200);
  });
});
