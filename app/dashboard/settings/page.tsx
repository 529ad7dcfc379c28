import { getTranslations } from 'next-intl/server';
import { formatTime } from '@/lib/format';
import { CreateApiKeyForm, RotateSecretForm, WebhookUrlForm } from '@/components/dashboard/settings-forms';
import { listApiKeys } from '@/lib/auth/api-keys';
import { requireMerchantPage } from '@/lib/auth/merchant-context';
import { getMerchantSettings } from '@/lib/settings/merchant-settings';
import { revokeApiKeyAction } from './actions';


export default async function SettingsPage() {
  const { merchantId, withScope } = await requireMerchantPage();
  const [[settings, keys], t] = await Promise.all([withScope((tx) => Promise.all([getMerchantSettings(tx, merchantId), listApiKeys(tx, merchantId)])), getTranslations('settings')]);
  return (
    <>
      <h1>{t('title')}</h1>
      <h2>{t('webhooks')}</h2>
      <div className="card">
        <p className="muted">{t('webhookHelp')}</p>
        <WebhookUrlForm current={settings?.webhookUrl ?? ''} />
        <p className="muted">{settings?.hasWebhookSecret ? t('secretSet') : t('secretNotSet')}</p>
        <RotateSecretForm />
      </div>
      <h2>{t('apiKeys')}</h2>
      <div className="card">
        <p className="muted">{t('apiKeyHelp')}</p>
        <CreateApiKeyForm />
        {keys.length === 0 ? <p className="muted" data-testid="api-keys-empty">{t('noKeys')}</p> : (
          <table>
            <thead><tr><th>{t('name')}</th><th>{t('key')}</th><th>{t('created')}</th><th>{t('lastUsed')}</th><th /></tr></thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id} data-testid="api-key-row">
                  <td>{k.name}</td><td><code>{k.prefix}…</code></td><td>{formatTime(k.createdAt)}</td><td>{formatTime(k.lastUsedAt)}</td>
                  <td>{k.revokedAt ? <span className="muted">{t('revoked', { at: formatTime(k.revokedAt) })}</span> : (
                    <form action={revokeApiKeyAction}><input type="hidden" name="id" value={k.id} /><button type="submit" className="secondary" data-testid="api-key-revoke">{t('revoke')}</button></form>
                  )}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
