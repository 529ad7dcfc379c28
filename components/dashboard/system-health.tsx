import { getTranslations } from 'next-intl/server';
import type { SystemHealth } from '@/lib/dashboard/system-health';
import { formatCount, formatTime } from '@/lib/format';

/** On every dashboard page when something is down: the merchant learns why payments seem stuck. */
export async function SystemHealthBanner({ health }: { health: SystemHealth }) {
  if (health.problems.length === 0) return null;
  const t = await getTranslations('health');
  return (
    <div className="notice error" role="alert" data-testid="system-health-banner">
      <strong>{t('bannerTitle')}</strong> {t('bannerBody')}
      <ul>
        {health.problems.map((p) => p.kind === 'worker-down' ? (
          <li key={p.worker} data-testid="system-problem" data-problem={`${p.kind}:${p.worker}`}>
            {t('workerDown', { worker: t(`worker.${p.worker}`), since: p.lastBeatAt ? t('noBeatSince', { at: formatTime(p.lastBeatAt) }) : t('neverSeen') })}
          </li>
        ) : (
          <li key={p.kind} data-testid="system-problem" data-problem={p.kind}>
            {t('backlog', { count: formatCount(p.backlog), seconds: formatCount(Math.round(p.oldestAgeSeconds)) })}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The overview's panel: each worker, the outbox, dead letters and the last reconciliation. */
export async function SystemHealthPanel({ health }: { health: SystemHealth }) {
  const t = await getTranslations('health');
  const recon = health.lastReconciliation;
  return (
    <section data-testid="system-health">
      <h2>{t('title')}</h2>
      <table>
        <tbody>
          {health.workers.map((w) => (
            <tr key={w.name} data-testid={`health-${w.name}`} data-alive={w.alive}>
              <th scope="row">{t(`worker.${w.name}`)}</th>
              <td>{w.alive ? t('running', { instances: w.instances }) : t('down')}</td>
              <td className="muted">{t('lastBeat', { at: formatTime(w.lastBeatAt, t('never')) })}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">{t('outbox')}</th>
            <td>{t('waiting', { count: formatCount(health.outbox.backlog) })}</td>
            <td className="muted">{health.outbox.backlog
              ? t('oldest', { seconds: formatCount(Math.round(health.outbox.oldestAgeSeconds)) })
              : t('publishedLastMinute', { count: formatCount(health.outbox.publishedLastMinute) })}</td>
          </tr>
          <tr>
            <th scope="row">{t('consumerLag')}</th>
            <td>{t('notMeasured')}</td>
            <td className="muted">{t('lagNote')}</td>
          </tr>
          <tr>
            <th scope="row">{t('deadLetters')}</th>
            <td>{formatCount(health.deadLetters)}</td>
            <td className="muted">{t('notReplayed')}</td>
          </tr>
          <tr>
            <th scope="row">{t('lastReconciliation')}</th>
            <td>{recon ? (recon.error ? t('reconFailed') : recon.finishedAt ? t('reconFinished') : t('reconRunning')) : t('reconNone')}</td>
            <td className="muted">{recon ? `${formatTime(recon.startedAt)}${recon.error ? ` · ${recon.error}` : ''}` : ''}</td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}
