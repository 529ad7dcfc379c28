import { getTranslations } from 'next-intl/server';
import { formatCount, formatTime } from '@/lib/format';
import { Pager } from '@/components/dashboard/pager';
import { eventDeliveryOverview, listDeadLetters } from '@/lib/dashboard/event-delivery';
import { pageParam } from '@/lib/http/page-param';
import { requireMerchantPage } from '@/lib/auth/merchant-context';
import { replayDeadLetterAction } from './actions';

export default async function EventsPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  const { merchantId, withScope } = await requireMerchantPage();
  const page = pageParam((await searchParams).page);
  const [[overview, letters], t] = await Promise.all([withScope((tx) => Promise.all([eventDeliveryOverview(tx, merchantId), listDeadLetters(tx, merchantId, page)])), getTranslations('events')]);
  const { outbox } = overview;
  return (
    <>
      <h1>{t('title')}</h1>
      <div className="grid">
        <div className="card"><div className="muted">{t('backlog')}</div><strong data-testid="outbox-backlog" data-value={outbox.backlog}>{formatCount(outbox.backlog)}</strong></div>
        <div className="card"><div className="muted">{t('oldest')}</div><strong>{t('seconds', { seconds: outbox.oldestAgeSeconds.toFixed(1) })}</strong></div>
        <div className="card"><div className="muted">{t('publishedLastMinute')}</div><strong>{t('perSecond', { count: formatCount(outbox.publishedLastMinute), rate: (outbox.publishedLastMinute / 60).toFixed(2) })}</strong></div>
      </div>

      <h2>{t('consumers')}</h2>
      <table>
        <thead><tr><th>{t('consumer')}</th><th className="num">{t('consumedOfPublished')}</th><th>{t('lastEvent')}</th></tr></thead>
        <tbody>
          {overview.progress.map((p) => (
            <tr key={p.consumer} data-testid="consumer-row"><td><code>{p.consumer}</code></td><td className="num">{formatCount(p.consumed)} / {formatCount(p.published)}</td><td>{formatTime(p.lastConsumedAt)}</td></tr>
          ))}
        </tbody>
      </table>

      <h2>{t('deliveries')}</h2>
      {overview.deliveries.length === 0 ? (
        <p className="card muted">{t('noDeliveries')}</p>
      ) : (
        <div className="table-wrap"><table>
          <thead><tr><th>{t('event')}</th><th className="num">{t('attempt')}</th><th>{t('result')}</th><th className="num">{t('ms')}</th><th>{t('at')}</th></tr></thead>
          <tbody>
            {overview.deliveries.map((d) => (
              <tr key={String(d.id)}><td><code>{d.eventId}</code></td><td className="num">{d.attempt}</td><td className="wrap">{d.error ?? `HTTP ${d.statusCode}`}</td><td className="num">{formatCount(d.durationMs)}</td><td>{formatTime(d.createdAt)}</td></tr>
            ))}
          </tbody>
        </table></div>
      )}

      <h2>{t('deadLetters')}</h2>
      {letters.total === 0 ? (
        <p className="card muted" data-testid="dead-letters-empty">{t('noDeadLetters')}</p>
      ) : (
        <>
          <div className="table-wrap"><table>
            <thead><tr><th>{t('consumer')}</th><th>{t('event')}</th><th>{t('error')}</th><th className="num">{t('attempts')}</th><th>{t('lastFailed')}</th><th /></tr></thead>
            <tbody>
              {letters.rows.map((l) => (
                <tr key={String(l.id)} data-testid="dead-letter-row">
                  <td><code>{l.consumer}</code></td><td>{l.eventId ? <code>{l.eventId}</code> : t('invalidPayload')}</td><td className="wrap">{l.error}</td><td className="num">{l.attempts}</td><td>{formatTime(l.lastFailedAt)}</td>
                  <td>
                    {l.replayedAt ? (
                      <span className="muted">{t('replayed', { at: formatTime(l.replayedAt) })}</span>
                    ) : (
                      <form action={replayDeadLetterAction}>
                        <input type="hidden" name="deadLetterId" value={String(l.id)} />
                        <button type="submit" className="secondary" data-testid="replay-dead-letter">{t('replay')}</button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table></div>
          <Pager page={letters.page} pageCount={letters.pageCount} total={letters.total} href={(p) => `/dashboard/events?page=${p}`} />
        </>
      )}
    </>
  );
}
