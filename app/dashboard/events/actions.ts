'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { replayDeadLetter } from '@/lib/dead-letters/replay-dead-letter';
import { requireMerchantAction } from '@/lib/auth/merchant-context';

/** Server action (Next checks its origin, so it is CSRF-safe): replay one dead letter. */
export async function replayDeadLetterAction(formData: FormData): Promise<void> {
  const merchant = await requireMerchantAction();
  const id = z.coerce.bigint().positive().safeParse(formData.get('deadLetterId'));
  if (!id.success) return;
  await merchant.withScope((tx) => replayDeadLetter(tx, merchant.merchantId, id.data, merchant.actor));
  revalidatePath('/dashboard/events');
}
