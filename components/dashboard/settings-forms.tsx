'use client';

import { useTranslations } from 'next-intl';
import { useActionState } from 'react';
import { createApiKeyAction, rotateSecretAction, saveWebhookUrlAction, type SettingsState } from '@/app/dashboard/settings/actions';

const initial: SettingsState = { ok: true, message: '' };

function Result({ state, testId }: { state: SettingsState; testId: string }) {
  if (!state.message) return null;
  return (
    <div className={`notice ${state.ok ? 'ok' : 'error'}`} role="status" data-testid={testId}>
      {state.message}
      {state.reveal && <pre data-testid={`${testId}-secret`} style={{ userSelect: 'all', margin: '8px 0 0' }}>{state.reveal}</pre>}
    </div>
  );
}

export function WebhookUrlForm({ current }: { current: string }) {
  const [state, action, pending] = useActionState(saveWebhookUrlAction, initial);
  const t = useTranslations('settings');
  return (
    <form action={action} className="row" style={{ justifyContent: 'flex-start' }}>
      <input name="webhookUrl" type="url" defaultValue={current} placeholder="https://example.com/hooks/won" style={{ minWidth: 360 }} data-testid="webhook-url" />
      <button type="submit" disabled={pending} data-testid="webhook-url-save">{t('save')}</button>
      <Result state={state} testId="webhook-url-result" />
    </form>
  );
}

export function RotateSecretForm() {
  const [state, action, pending] = useActionState(rotateSecretAction, initial);
  const t = useTranslations('settings');
  return (
    <form action={action}>
      <button type="submit" className="secondary" disabled={pending} data-testid="rotate-secret">{t('rotate')}</button>
      <Result state={state} testId="rotate-secret-result" />
    </form>
  );
}

export function CreateApiKeyForm() {
  const [state, action, pending] = useActionState(createApiKeyAction, initial);
  const t = useTranslations('settings');
  return (
    <form action={action} className="row" style={{ justifyContent: 'flex-start' }}>
      <input name="name" placeholder={t('keyNamePlaceholder')} maxLength={80} data-testid="api-key-name" />
      <button type="submit" disabled={pending} data-testid="api-key-create">{t('createKey')}</button>
      <Result state={state} testId="api-key-result" />
    </form>
  );
}
