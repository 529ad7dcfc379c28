import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Inside `x.transaction(async (tx) => …)` every query must go through `tx`. A query through the
 * outer handle `x` needs a second connection from the pool while the transaction holds its row
 * locks; when the pool's other connections are all queued on those locks, it waits forever and
 * PostgreSQL sees no deadlock to break (the 10,000-seed simulation hung two seeds this way, see
 * tests/payments/refund-booking-one-connection.test.ts). This finds the outer handle by name.
 */
function outerHandleUses(file: string, text: string): string[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'transaction') {
      const outer = node.expression.expression.getText(src);
      const callback = node.arguments[0];
      if (callback && (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) {
        const check = (m: ts.Node) => {
          const isPropertyName = ts.isPropertyAccessExpression(m.parent) && m.parent.name === m;
          if (ts.isIdentifier(m) && m.text === outer && !isPropertyName) {
            const { line } = src.getLineAndCharacterOfPosition(m.getStart(src));
            found.push(`${file}:${line + 1}: ${text.split('\n')[line]!.trim()}`);
          }
          ts.forEachChild(m, check);
        };
        ts.forEachChild(callback.body, check);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(p);
    return /\.tsx?$/.test(name) ? [p] : [];
  });
}

describe('one connection per transaction', () => {
  it('finds a query through the outer handle inside a transaction', () => {
    const sample = `export const f = (db: Db) => db.transaction(async (tx) => {
      const [row] = await tx.select().from(t);
      if (!row) return reload(db, 1);
      return db.query.t.findFirst();
    });`;
    expect(outerHandleUses('sample.ts', sample)).toEqual([
      'sample.ts:3: if (!row) return reload(db, 1);',
      'sample.ts:4: return db.query.t.findFirst();',
    ]);
  });

  it('no transaction in the product queries through its outer handle', () => {
    const files = ['lib', 'app', 'workers', 'db', 'sandbox', 'scripts'].flatMap((d) => sourceFiles(d));
    expect(files.length).toBeGreaterThan(100);
    expect(files.flatMap((f) => outerHandleUses(f, readFileSync(f, 'utf8')))).toEqual([]);
  });
});
