import { db } from '@/db';
import { json, parseJsonBody, route } from '@/lib/http/respond';
import { failRedirectSchema, recordWindowFailure } from '@/lib/payments/record-window-failure';
import { pspClient } from '@/lib/psp/server-client';

/** Called by the fail page: the shopper cancelled or the card company refused in the window. */
export const POST = route(async (req) => {
  const failure = await parseJsonBody(req, failRedirectSchema);
  return json(await recordWindowFailure(db(), pspClient(), failure));
});
