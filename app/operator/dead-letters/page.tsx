import { db } from '@/db';
import { Pager } from '@/components/dashboard/pager';
import { requireOperatorPage } from '@/lib/auth/operator-context';
import { listOperatorAudit, listOrphanDeadLetters } from '@/lib/dead-letters/list-orphan-dead-letters';
import { formatTime } from '@/lib/format-time';
import { pageParam } from '@/lib/http/page-param';
import { replayOrphanDeadLetterAction } from './actions';

/** Dead letters no merchant can see (their payload was not a valid event), and who replayed what. */
export default async function OperatorDeadLettersPage({ searchParams }: { searchParams: Promise<{ page?: string; refused?: string; letter?: string }> }) {
  await requireOperatorPage();
  const params = await searchParams;
  const page = pageParam(params.page);
  const [letters, audit] = await Promise.all([listOrphanDeadLetters(db(), page), listOperatorAudit(db())]);
  return (
    <>
      <h1>Dead letters of no merchant</h1>
      <p className="muted">Messages a consumer could not read as an event. A replay puts one back on the main topic only if it is a valid event now (after a fix to the contract); otherwise it stays here.</p>
      {params.refused && (
        <p className="card" role="alert" data-testid="replay-refused">Dead letter {params.letter} was not replayed ({params.refused}).</p>
      )}
      {letters.total === 0 ? (
        <p className="card muted" data-testid="orphan-dead-letters-empty">None: every dead letter belongs to a merchant.</p>
      ) : (
        <>
          <table>
            <thead><tr><th>Id</th><th>Consumer</th><th>Topic</th><th>Raw value</th><th>Error</th><th className="num">Attempts</th><th>Last failed</th><th /></tr></thead>
            <tbody>
              {letters.rows.map((l) => (
                <tr key={String(l.id)} data-testid="orphan-dead-letter-row">
                  <td>{String(l.id)}</td><td>{l.consumer}</td><td>{l.sourceTopic}</td>
                  <td><code>{(l.rawValue ?? JSON.stringify(l.payload) ?? '').slice(0, 200)}</code></td>
                  <td>{l.error}</td><td className="num">{l.attempts}</td><td>{formatTime(l.lastFailedAt)}</td>
                  <td>
                    {l.replayedAt ? (
                      <span className="muted">replayed {formatTime(l.replayedAt)}</span>
                    ) : (
                      <form action={replayOrphanDeadLetterAction}>
                        <input type="hidden" name="deadLetterId" value={String(l.id)} />
                        <button type="submit" className="secondary" data-testid="replay-orphan-dead-letter">Replay</button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={letters.page} pageCount={letters.pageCount} total={letters.total} href={(p) => `/operator/dead-letters?page=${p}`} />
        </>
      )}

      <h2>Operator audit</h2>
      {audit.length === 0 ? <p className="card muted" data-testid="operator-audit-empty">No operator action yet.</p> : (
        <table>
          <thead><tr><th>When</th><th>Who</th><th>What</th><th>Target</th><th>Detail</th></tr></thead>
          <tbody>
            {audit.map((a) => (
              <tr key={String(a.id)} data-testid="operator-audit-row">
                <td>{formatTime(a.createdAt)}</td><td>{a.actor}</td><td>{a.action}</td><td>{a.target ?? '—'}</td><td><code>{JSON.stringify(a.detail)}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
