import type { Locale } from '@/lib/i18n/locale';
import { formatTime } from '@/lib/format';
import { wordFor } from '@/lib/i18n/words';

type AuditRow = { id: bigint | number; createdAt: Date; actor: string; action: string; target: string | null; detail: unknown };

/** Shared by the merchant's and the operator's audit logs. */
export function AuditTable({ rows, locale, t, testId = 'audit-row' }: { rows: AuditRow[]; locale: Locale; t: (key: 'when' | 'who' | 'what' | 'target' | 'detail') => string; testId?: string }) {
  return (
    <div className="table-wrap">
      <table className="audit">
        <colgroup><col style={{ width: '11em' }} /><col style={{ width: '13em' }} /><col style={{ width: '11em' }} /><col style={{ width: '16em' }} /><col /></colgroup>
        <thead><tr><th>{t('when')}</th><th>{t('who')}</th><th>{t('what')}</th><th>{t('target')}</th><th>{t('detail')}</th></tr></thead>
        <tbody>
          {rows.map((a) => (
            <tr key={String(a.id)} data-testid={testId} data-action={a.action}>
              <td>{formatTime(a.createdAt)}</td><td className="wrap">{a.actor.replace(/^(user|operator):/, '')}</td><td>{wordFor(locale, 'auditAction', a.action)}</td>
              <td>{a.target ? <code>{a.target}</code> : '—'}</td>
              <td><code>{JSON.stringify(a.detail)}</code></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
