import Link from 'next/link';
import { formatTime } from '@/lib/format-time';
import { requireMerchantPage } from '@/lib/auth/merchant-context';
import { pageParam } from '@/lib/http/page-param';
import { listAuditLog } from '@/lib/settings/merchant-settings';

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  const { merchantId, withScope } = await requireMerchantPage();
  const page = pageParam((await searchParams).page);
  const log = await withScope((tx) => listAuditLog(tx, merchantId, page));
  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">Every refund, replay, settings and key change, by whom. Entries cannot be edited or deleted.</p>
      {log.rows.length === 0 ? <p className="card muted" data-testid="audit-empty">Nothing recorded yet.</p> : (
        <table>
          <thead><tr><th>When</th><th>Who</th><th>What</th><th>Target</th><th>Detail</th></tr></thead>
          <tbody>
            {log.rows.map((a) => (
              <tr key={String(a.id)} data-testid="audit-row">
                <td>{formatTime(a.createdAt)}</td><td>{a.actor}</td><td>{a.action}</td><td>{a.target ?? '—'}</td>
                <td><code>{JSON.stringify(a.detail)}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        {page > 1 && <Link href={`/dashboard/audit?page=${page - 1}`}>← Newer</Link>}
        <span className="muted">Page {page}</span>
        {log.hasMore && <Link href={`/dashboard/audit?page=${page + 1}`}>Older →</Link>}
      </div>
    </>
  );
}
