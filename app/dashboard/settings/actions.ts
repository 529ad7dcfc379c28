'use server';

import { revalidatePath } from 'next/cache';
import { getTranslations } from 'next-intl/server';
import { z } from 'zod';
import { createApiKey, revokeApiKey } from '@/lib/auth/api-keys';
import { requireMerchantAction } from '@/lib/auth/merchant-context';
import { assertPublicWebhookUrl, WebhookDestinationError } from '@/lib/security/webhook-destination';
import { rotateWebhookSecret, setWebhookUrl, webhookUrlSchema } from '@/lib/settings/merchant-settings';

export interface SettingsState {
  ok: boolean;
  message: string;
  /** A secret or key, shown exactly once. */
  reveal?: string;
}

export async function saveWebhookUrlAction(_prev: SettingsState, form: FormData): Promise<SettingsState> {
  const m = await requireMerchantAction();
  const t = await getTranslations('settings');
  const url = webhookUrlSchema.safeParse(String(form.get('webhookUrl') ?? '').trim());
  if (!url.success) return { ok: false, message: t('webhookInvalid', { reason: url.error.issues[0]?.message ?? 'is not valid' }) };
  if (url.data) {
    try {
      await assertPublicWebhookUrl(url.data);
    } catch (err) {
      if (err instanceof WebhookDestinationError) return { ok: false, message: t('webhookInvalid', { reason: err.message }) };
      throw err;
    }
  }
  await m.withScope((tx) => setWebhookUrl(tx, m.merchantId, url.data, m.actor));
  revalidatePath('/dashboard/settings');
  return { ok: true, message: url.data ? t('webhookSaved') : t('webhookOff') };
}

export async function rotateSecretAction(_prev: SettingsState): Promise<SettingsState> {
  const m = await requireMerchantAction();
  const secret = await m.withScope((tx) => rotateWebhookSecret(tx, m.merchantId, m.actor));
  revalidatePath('/dashboard/settings');
  return { ok: true, message: (await getTranslations('settings'))('newSecret'), reveal: secret };
}

export async function createApiKeyAction(_prev: SettingsState, form: FormData): Promise<SettingsState> {
  const m = await requireMerchantAction();
  const t = await getTranslations('settings');
  const name = z.string().trim().min(1).max(80).safeParse(form.get('name'));
  if (!name.success) return { ok: false, message: t('keyNameRequired') };
  const { key } = await m.withScope((tx) => createApiKey(tx, m.merchantId, name.data, m.actor));
  revalidatePath('/dashboard/settings');
  return { ok: true, message: t('newKey'), reveal: key };
}

export async function revokeApiKeyAction(form: FormData): Promise<void> {
  const m = await requireMerchantAction();
  const id = z.string().regex(/^key_[0-9a-f]{32}$/).safeParse(form.get('id'));
  if (id.success) await m.withScope((tx) => revokeApiKey(tx, m.merchantId, id.data, m.actor));
  revalidatePath('/dashboard/settings');
}
