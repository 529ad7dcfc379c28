import { db } from '@/db';
import { json, parseJsonBody, route } from '@/lib/http/respond';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import { pspClient } from '@/lib/psp/server-client';

/** Approve step, called by the success page with the query the PSP redirected with. */
export const POST = route(async (req) => {
  const redirect = await parseJsonBody(req, successRedirectSchema);
  return json(await confirmPayment(db(), pspClient(), redirect));
});
