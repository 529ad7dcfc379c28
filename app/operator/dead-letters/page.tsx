import { getLocale, getTranslations } from 'next-intl/server';
import { db } from '@/db';
import { AuditTable } from '@/components/dashboard/audit-table';
import { Pager } from '@/components/dashboard/pager';
import { requireOperatorPage } from '@/lib/auth/operator-context';
import { listOperatorAudit, listOrphanDeadLetters } from '@/lib/dead-letters/list-orphan-dead-letters';
import { formatTime } from '@/lib/format';
import { pageParam } from '@/lib/http/page-param';
import { replayOrphanDeadLetterAction } from './actions';

/** Dead letters no merchant can see (their payload was not a valid event), and who replayed what. */
export default async function OperatorDeadLettersPage({ searchParams }: { searchParams: Promise<{ page?: string; refused?: string; letter?: string }> }) {
  await requireOperatorPage();
  const params = await searchParams;
  const page = pageParam(params.page);
  const [letters, audit, t, te, ta, locale] = await Promise.all([
    listOrphanDeadLetters(db(), page), listOperatorAudit(db()), getTranslations('operator'), getTranslations('events'), getTranslations('audit'), getLocale(),
  ]);
  return (
    <>
      <h1>{t('title')}</h1>
      <p className="muted">{t('intro')}</p>
      {params.refused && (
        <p className="card" role="alert" data-testid="replay-refused">{t('refused', { letter: params.letter ?? '', reason: params.refused })}</p>
      )}
      {letters.total === 0 ? (
        <p className="card muted" data-testid="orphan-dead-letters-empty">{t('none')}</p>
      ) : (
        <>
          <div className="table-wrap"><table>
            <thead><tr><th>{t('id')}</th><th>{te('consumer')}</th><th>{t('topic')}</th><th>{t('raw')}</th><th>{te('error')}</th><th className="num">{te('attempts')}</th><th>{te('lastFailed')}</th><th /></tr></thead>
            <tbody>
              {letters.rows.map((l) => (
                <tr key={String(l.id)} data-testid="orphan-dead-letter-row">
                  <td>{String(l.id)}</td><td><code>{l.consumer}</code></td><td><code>{l.sourceTopic}</code></td>
                  <td><code>{(l.rawValue ?? JSON.stringify(l.payload) ?? '').slice(0, 200)}</code></td>
                  <td className="wrap">{l.error}</td><td className="num">{l.attempts}</td><td>{formatTime(l.lastFailedAt)}</td>
                  <td>
                    {l.replayedAt ? (
                      <span className="muted">{te('replayed', { at: formatTime(l.replayedAt) })}</span>
                    ) : (
                      <form action={replayOrphanDeadLetterAction}>
                        <input type="hidden" name="deadLetterId" value={String(l.id)} />
                        <button type="submit" className="secondary" data-testid="replay-orphan-dead-letter">{te('replay')}</button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table></div>
          <Pager page={letters.page} pageCount={letters.pageCount} total={letters.total} href={(p) => `/operator/dead-letters?page=${p}`} />
        </>
      )}

      <h2>{t('audit')}</h2>
      {audit.length === 0
        ? <p className="card muted" data-testid="operator-audit-empty">{t('noAudit')}</p>
        : <AuditTable rows={audit} locale={locale} t={ta} testId="operator-audit-row" />}
    </>
  );
}
