'use client';

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { OverviewDay } from '@/lib/dashboard/get-overview';
import { formatCompact, formatCount, formatMoney } from '@/lib/format';

const HEIGHT = 240;
const shortDay = (date: string) => date.slice(5); // MM-dd

/**
 * A bar per KST day. The parent has an explicit height, and ResponsiveContainer starts from a
 * fixed size, so the SVG is drawn even before (or without) a ResizeObserver measurement, e.g.
 * in headless browsers and on the server render.
 */
function DailyBars({ data, dataKey, testId, label, format, axisFormat }: {
  data: OverviewDay[];
  dataKey: 'approvedAmount' | 'approvedCount';
  testId: string;
  label: string;
  format: (v: number) => string;
  axisFormat: (v: number) => string;
}) {
  return (
    <div data-testid={testId} role="img" aria-label={label} style={{ width: '100%', height: HEIGHT, minWidth: 0 }}>
      <ResponsiveContainer width="100%" height={HEIGHT} initialDimension={{ width: 480, height: HEIGHT }}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="date" tickFormatter={shortDay} minTickGap={12} fontSize={12} />
          <YAxis tickFormatter={axisFormat} allowDecimals={false} width={48} fontSize={12} />
          <Tooltip formatter={(v) => [format(Number(v)), label]} labelFormatter={(d) => `${String(d)} KST`} />
          <Bar dataKey={dataKey} fill="#2457e6" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export function VolumeChart({ data, currency, label }: { data: OverviewDay[]; currency: string; label: string }) {
  return (
    <DailyBars data={data} dataKey="approvedAmount" testId="chart-volume" label={label}
      format={(v) => formatMoney(v, currency)} axisFormat={(v) => formatCompact(v)} />
  );
}

export function CountChart({ data, label }: { data: OverviewDay[]; label: string }) {
  return (
    <DailyBars data={data} dataKey="approvedCount" testId="chart-count" label={label}
      format={(v) => formatCount(v)} axisFormat={(v) => formatCount(v)} />
  );
}
