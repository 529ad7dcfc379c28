import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENT_NAMESPACES, clientMessages } from '@/lib/i18n/client-messages';
import { MESSAGES } from '@/lib/i18n/messages';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : /\.tsx?$/.test(name) ? [full] : [];
  });
}

describe('the messages sent to the browser', () => {
  it('hold every namespace a component reads with useTranslations (a missing one renders its key)', () => {
    const used = new Map<string, string>();
    for (const file of [...sources('components'), ...sources('app')]) {
      const text = readFileSync(file, 'utf8');
      expect(text, `${file}: useTranslations() without a namespace would need the whole catalogue`).not.toMatch(/useTranslations\(\s*\)/);
      for (const m of text.matchAll(/useTranslations\(\s*['"]([\w.]+)['"]\s*\)/g)) used.set(m[1]!.split('.')[0]!, file);
    }
    expect(used.size).toBeGreaterThan(5);
    for (const [ns, file] of used) expect(CLIENT_NAMESPACES, `${ns} (used in ${file})`).toContain(ns);
  });

  it('are a part of the catalogue, not all of it', () => {
    const sent = JSON.stringify(clientMessages(MESSAGES.ko)).length;
    expect(sent).toBeLessThan(JSON.stringify(MESSAGES.ko).length / 2);
    expect(Object.keys(clientMessages(MESSAGES.en)).sort()).toEqual([...CLIENT_NAMESPACES].sort());
  });
});
