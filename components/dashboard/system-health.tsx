import type { SystemHealth } from '@/lib/dashboard/system-health';
import { formatTime } from '@/lib/format-time';

/** On every dashboard page when something is down: the merchant learns why payments seem stuck. */
export function SystemHealthBanner({ health }: { health: SystemHealth }) {
  if (health.problems.length === 0) return null;
  return (
    <div className="notice error" role="alert" data-testid="system-health-banner">
      <strong>Something is not running.</strong> Payments are still taken, but events, balances and webhooks wait until it is back.
      <ul>{health.problems.map((p) => <li key={p}>{p}</li>)}</ul>
    </div>
  );
}

/** The overview's panel: each worker, the outbox, dead letters and the last reconciliation. */
export function SystemHealthPanel({ health }: { health: SystemHealth }) {
  const recon = health.lastReconciliation;
  return (
    <section data-testid="system-health">
      <h2>System health</h2>
      <table>
        <tbody>
          {health.workers.map((w) => (
            <tr key={w.name} data-testid={`health-${w.name}`}>
              <th scope="row">{w.label}</th>
              <td>{w.alive ? `running (${w.instances})` : 'down'}</td>
              <td className="muted">last heartbeat {formatTime(w.lastBeatAt, 'never')}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">Outbox</th>
            <td>{health.outbox.backlog} waiting</td>
            <td className="muted">{health.outbox.backlog ? `oldest ${Math.round(health.outbox.oldestAgeSeconds)} s` : `${health.outbox.publishedLastMinute} published in the last minute`}</td>
          </tr>
          <tr>
            <th scope="row">Consumer lag</th>
            <td>not measured</td>
            <td className="muted">a stopped consumer shows as down above</td>
          </tr>
          <tr>
            <th scope="row">Dead letters</th>
            <td>{health.deadLetters}</td>
            <td className="muted">not replayed yet</td>
          </tr>
          <tr>
            <th scope="row">Last reconciliation</th>
            <td>{recon ? (recon.error ? 'failed' : recon.finishedAt ? 'finished' : 'running') : 'none yet'}</td>
            <td className="muted">{recon ? `${formatTime(recon.startedAt)}${recon.error ? ` · ${recon.error}` : ''}` : ''}</td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}
