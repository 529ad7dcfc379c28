import { formatTime } from '@/lib/format-time';
import { CreateApiKeyForm, RotateSecretForm, WebhookUrlForm } from '@/components/dashboard/settings-forms';
import { listApiKeys } from '@/lib/auth/api-keys';
import { requireMerchantPage } from '@/lib/auth/merchant-context';
import { getMerchantSettings } from '@/lib/settings/merchant-settings';
import { revokeApiKeyAction } from './actions';


export default async function SettingsPage() {
  const { merchantId, withScope } = await requireMerchantPage();
  const [settings, keys] = await withScope((tx) => Promise.all([getMerchantSettings(tx, merchantId), listApiKeys(tx, merchantId)]));
  return (
    <>
      <h1>Settings</h1>
      <h2>Webhooks</h2>
      <div className="card">
        <p className="muted">Payment events are POSTed here, signed with HMAC-SHA256 in the <code>Won-Signature</code> header (<code>t=…,v1=…</code>).</p>
        <WebhookUrlForm current={settings?.webhookUrl ?? ''} />
        <p className="muted">Signing secret: {settings?.hasWebhookSecret ? 'set' : 'not set (deliveries are unsigned until you create one)'}</p>
        <RotateSecretForm />
      </div>
      <h2>API keys</h2>
      <div className="card">
        <p className="muted">For the merchant API: <code>Authorization: Bearer won_sk_…</code>. A key is shown once; we keep only its hash.</p>
        <CreateApiKeyForm />
        {keys.length === 0 ? <p className="muted" data-testid="api-keys-empty">No API keys yet.</p> : (
          <table>
            <thead><tr><th>Name</th><th>Key</th><th>Created</th><th>Last used</th><th /></tr></thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id} data-testid="api-key-row">
                  <td>{k.name}</td><td><code>{k.prefix}…</code></td><td>{formatTime(k.createdAt)}</td><td>{formatTime(k.lastUsedAt)}</td>
                  <td>{k.revokedAt ? <span className="muted">revoked {formatTime(k.revokedAt)}</span> : (
                    <form action={revokeApiKeyAction}><input type="hidden" name="id" value={k.id} /><button type="submit" className="secondary" data-testid="api-key-revoke">Revoke</button></form>
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
