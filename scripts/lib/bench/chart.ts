/**
 * The benchmark's chart as SVG, drawn by Vega-Lite (headless: Vega renders SVG without a
 * browser or canvas). Three panels by concurrency: payments/s, the ratio to pgbench's TPS with
 * the 0.15 target, and confirm p99 with the 100 ms target.
 */
import type { TopLevelSpec } from 'vega-lite';

export interface ChartRow {
  case: string;
  connections: number;
  paymentsPerSecond: number;
  ratio: number;
  confirmP99Ms: number;
}

export async function renderChart(rows: ChartRow[], title: string): Promise<string> {
  const x = { field: 'connections', type: 'ordinal', title: 'concurrent shoppers' } as const;
  const color = { field: 'case', type: 'nominal', title: 'case' } as const;
  const xOffset = { field: 'case' } as const;
  const panel = (field: keyof ChartRow, yTitle: string, target?: number) => ({
    width: 220,
    height: 220,
    layer: [
      { mark: 'bar', encoding: { x, xOffset, color, y: { field, type: 'quantitative', title: yTitle } } },
      ...(target === undefined ? [] : [{ mark: { type: 'rule', color: '#c0392b', strokeDash: [4, 3] }, encoding: { y: { datum: target } } }]),
    ],
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows },
    hconcat: [
      panel('paymentsPerSecond', 'payments/s'),
      panel('ratio', 'payments/s ÷ pgbench TPS (target ≥ 0.15)', 0.15),
      panel('confirmP99Ms', 'confirm p99, ms (target < 100 at 32)', 100),
    ],
    config: { font: 'sans-serif', background: 'white' },
  } as unknown as TopLevelSpec;
  // Vega is ESM with top-level await: it must be import()ed, not require()d by the CJS scripts.
  const vega = await import('vega');
  const { compile } = await import('vega-lite');
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
