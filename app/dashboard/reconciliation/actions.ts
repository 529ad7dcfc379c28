'use server';

import { revalidatePath } from 'next/cache';
import { db } from '@/db';
import { requireMerchantAction } from '@/lib/auth/merchant-context';
import { pspClient } from '@/lib/psp/server-client';
import { kstDateOf } from '@/lib/kst';
import { runReconciliation } from '@/lib/reconciliation/run-reconciliation';

/** "Reconcile today": compares today's (KST) PSP data with ours now. */
export async function reconcileTodayAction(): Promise<void> {
  await requireMerchantAction();
  const today = kstDateOf(new Date()); // Toss's settlement dates are Korean days
  await runReconciliation(db(), pspClient(), { fromDate: today, toDate: today }, 'dashboard');
  revalidatePath('/dashboard/reconciliation');
}
