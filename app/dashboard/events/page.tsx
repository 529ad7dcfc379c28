import { formatTime } from '@/lib/format-time';
import { Pager } from '@/components/dashboard/pager';
import { eventDeliveryOverview, listDeadLetters } from '@/lib/dashboard/event-delivery';
import { pageParam } from '@/lib/http/page-param';
import { requireMerchantPage } from '@/lib/auth/merchant-context';
import { replayDeadLetterAction } from './actions';


export default async function EventsPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  const { merchantId, withScope } = await requireMerchantPage();
  const page = pageParam((await searchParams).page);
  const [overview, letters] = await withScope((tx) => Promise.all([eventDeliveryOverview(tx, merchantId), listDeadLetters(tx, merchantId, page)]));
  const { outbox } = overview;
  return (
    <>
      <h1>Events</h1>
      <div className="grid">
        <div className="card"><div className="muted">Outbox backlog</div><strong data-testid="outbox-backlog">{outbox.backlog}</strong></div>
        <div className="card"><div className="muted">Oldest unpublished</div><strong>{outbox.oldestAgeSeconds.toFixed(1)} s</strong></div>
        <div className="card"><div className="muted">Published, last minute</div><strong>{outbox.publishedLastMinute} ({(outbox.publishedLastMinute / 60).toFixed(2)}/s)</strong></div>
      </div>

      <h2>Consumers</h2>
      <table>
        <thead><tr><th>Consumer</th><th className="num">Consumed / published</th><th>Last event</th></tr></thead>
        <tbody>
          {overview.progress.map((p) => (
            <tr key={p.consumer} data-testid="consumer-row"><td>{p.consumer}</td><td className="num">{p.consumed} / {p.published}</td><td>{formatTime(p.lastConsumedAt)}</td></tr>
          ))}
        </tbody>
      </table>

      <h2>Recent webhook deliveries</h2>
      {overview.deliveries.length === 0 ? (
        <p className="card muted">No webhook deliveries yet (set a webhook URL to receive events).</p>
      ) : (
        <table>
          <thead><tr><th>Event</th><th className="num">Attempt</th><th>Result</th><th className="num">ms</th><th>At</th></tr></thead>
          <tbody>
            {overview.deliveries.map((d) => (
              <tr key={String(d.id)}><td>{d.eventId}</td><td className="num">{d.attempt}</td><td>{d.error ?? `HTTP ${d.statusCode}`}</td><td className="num">{d.durationMs}</td><td>{formatTime(d.createdAt)}</td></tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Dead letters</h2>
      {letters.total === 0 ? (
        <p className="card muted" data-testid="dead-letters-empty">No dead letters: every event reached every consumer.</p>
      ) : (
        <>
          <table>
            <thead><tr><th>Consumer</th><th>Event</th><th>Error</th><th className="num">Attempts</th><th>Last failed</th><th /></tr></thead>
            <tbody>
              {letters.rows.map((l) => (
                <tr key={String(l.id)} data-testid="dead-letter-row">
                  <td>{l.consumer}</td><td>{l.eventId ?? '(invalid payload)'}</td><td>{l.error}</td><td className="num">{l.attempts}</td><td>{formatTime(l.lastFailedAt)}</td>
                  <td>
                    {l.replayedAt ? (
                      <span className="muted">replayed {formatTime(l.replayedAt)}</span>
                    ) : (
                      <form action={replayDeadLetterAction}>
                        <input type="hidden" name="deadLetterId" value={String(l.id)} />
                        <button type="submit" className="secondary" data-testid="replay-dead-letter">Replay</button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={letters.page} pageCount={letters.pageCount} total={letters.total} href={(p) => `/dashboard/events?page=${p}`} />
        </>
      )}
    </>
  );
}
