'use server';

import { revalidatePath } from 'next/cache';
import { db } from '@/db';
import { requireOperatorAction } from '@/lib/auth/operator-context';
import { pspClient } from '@/lib/psp/server-client';
import { kstDateOf } from '@/lib/kst';
import { runReconciliation } from '@/lib/reconciliation/run-reconciliation';

/**
 * "Reconcile today": compares today's (KST) PSP data with ours now. It posts settlement journals
 * into every merchant's ledger, so only an operator (OPERATOR_EMAILS) may run it.
 */
export async function reconcileTodayAction(): Promise<void> {
  await requireOperatorAction();
  const today = kstDateOf(new Date()); // Toss's settlement dates are Korean days
  await runReconciliation(db(), pspClient(), { fromDate: today, toDate: today }, 'dashboard');
  revalidatePath('/dashboard/reconciliation');
}
