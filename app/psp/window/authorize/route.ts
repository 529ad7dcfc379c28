import { db } from '@/db';
import { BODY_LIMITS, errorResponse, readBodyText } from '@/lib/http/respond';
import { InvalidWindowRequestError, authorizePaymentWindow } from '@/lib/psp-sandbox/authorize-window';

/**
 * The payment window's form posts here: the buyer approved, declined or cancelled. Answers with
 * a 303 to the merchant's successUrl or failUrl, as Toss's window does, or a 400 page when the
 * request cannot be answered with a redirect.
 */
export const dynamic = 'force-dynamic';

const FIELDS = ['clientKey', 'orderId', 'orderName', 'amount', 'currency', 'successUrl', 'failUrl', 'action'] as const;

export async function POST(req: Request): Promise<Response> {
  let text: string;
  try {
    text = await readBodyText(req, BODY_LIMITS.api);
  } catch (err) {
    return errorResponse(err);
  }
  let form: FormData;
  try {
    // Parsed from the capped text: formData() on the request would buffer any size.
    form = await new Response(text, { headers: { 'content-type': req.headers.get('content-type') ?? '' } }).formData();
  } catch {
    return errorPage(['The request must be a form submission (application/x-www-form-urlencoded or multipart/form-data).']);
  }
  const input = Object.fromEntries(FIELDS.map((name) => {
    const value = form.get(name);
    return [name, typeof value === 'string' ? value : undefined];
  }));
  try {
    const location = await authorizePaymentWindow(db(), input);
    return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
  } catch (err) {
    if (err instanceof InvalidWindowRequestError) return errorPage(err.issues);
    throw err;
  }
}

function errorPage(issues: string[]): Response {
  const items = issues.map((i) => `<li>${escapeHtml(i)}</li>`).join('');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PSP Sandbox · invalid payment request</title></head>
<body style="font:15px/1.5 system-ui,sans-serif;max-width:560px;margin:48px auto;padding:0 16px;color:#1d2330">
<p style="display:inline-block;background:#ffd43b;color:#3b2f00;font-weight:700;font-size:12px;padding:2px 8px;border-radius:4px">SANDBOX · no real money</p>
<h1 style="font-size:20px">This payment request cannot be processed</h1>
<ul data-testid="psp-errors" style="color:#b42318">${items}</ul>
<p>Nothing was charged. Go back to the shop and start the payment again.</p>
</body></html>`;
  return new Response(html, { status: 400, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
