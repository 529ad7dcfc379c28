'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { db } from '@/db';
import { requireOperatorAction } from '@/lib/auth/operator-context';
import { replayOrphanDeadLetter } from '@/lib/dead-letters/replay-dead-letter';
import { AppError } from '@/lib/errors';

/** Server action (Next checks its origin): an operator replays one dead letter of no merchant. */
export async function replayOrphanDeadLetterAction(formData: FormData): Promise<void> {
  const operator = await requireOperatorAction();
  const id = z.coerce.bigint().positive().safeParse(formData.get('deadLetterId'));
  if (!id.success) return;
  let refused: string | undefined;
  try {
    await replayOrphanDeadLetter(db(), id.data, operator.actor);
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    refused = err.code;
  }
  revalidatePath('/operator/dead-letters');
  if (refused) redirect(`/operator/dead-letters?refused=${encodeURIComponent(refused)}&letter=${id.data}`);
}
