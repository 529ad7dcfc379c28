import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ParsedWindowRequest } from '../lib/window-request';

/**
 * The payment window's HTML, rendered on the sandbox's own server: what Toss's window is to a real
 * checkout. The merchant's checkout opens GET /window with the fields of `requestPayment` in the
 * query string; the buyer approves, declines or cancels, and the form posts to /window/authorize,
 * which redirects to successUrl/failUrl. No script at all; the one stylesheet is inline and allowed
 * by its hash, so the CSP can forbid everything else.
 */
const CSS = readFileSync(path.join(__dirname, 'window.css'), 'utf8');
const CSS_HASH = createHash('sha256').update(CSS).digest('base64');

/** No scripts, no frames, nothing fetched; styles only the inline sheet above. */
export const WINDOW_CSP = `default-src 'none'; style-src 'sha256-${CSS_HASH}'; base-uri 'none'; frame-ancestors 'none'`;

const won = new Intl.NumberFormat('ko-KR', { style: 'currency', currency: 'KRW' });

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function shell(body: string): string {
  return `<!doctype html><html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>PSP Sandbox · Payment window</title><style>${CSS}</style></head>
<body><div class="screen"><div class="window" role="dialog" aria-labelledby="psp-title">
<header class="header"><span class="brand" id="psp-title">PSP Sandbox</span><span class="sandboxBadge" data-testid="psp-sandbox-badge">SANDBOX · 테스트 결제</span></header>
<p class="sandboxNote">This is the payment sandbox, a stand-in for Toss Payments. No card is charged and no money moves.</p>
${body}
</div></div></body></html>`;
}

export function windowPage(parsed: ParsedWindowRequest): string {
  if (!parsed.ok) return errorPage(parsed.issues, parsed.merchant?.name);
  const { merchant, request } = parsed;
  const amount = escapeHtml(won.format(request.amount));
  const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  return shell(`<form method="post" action="/window/authorize" class="body">
<dl class="summary"><dt>Merchant</dt><dd data-testid="psp-merchant">${escapeHtml(merchant.name)}</dd>
<dt>Order</dt><dd data-testid="psp-order-name">${escapeHtml(request.orderName)}</dd>
<dt>Amount</dt><dd class="amount" data-testid="psp-amount">${amount}</dd></dl>
<div class="card"><span>Sandbox credit card</span><span class="cardNumber">4330 •••• •••• ••••</span></div>
${hidden('clientKey', request.clientKey)}${hidden('orderId', request.orderId)}${hidden('orderName', request.orderName)}${hidden('amount', String(request.amount))}${hidden('currency', request.currency)}${hidden('successUrl', request.successUrl)}${hidden('failUrl', request.failUrl)}
<div class="actions">
<button type="submit" name="action" value="approve" class="approve" data-testid="psp-approve">Approve ${amount}</button>
<button type="submit" name="action" value="decline" class="decline" data-testid="psp-decline">Decline (card company refuses)</button>
<button type="submit" name="action" value="cancel" class="cancel" data-testid="psp-cancel">Cancel payment</button>
</div>
<p class="fineprint">Order ID ${escapeHtml(request.orderId)}</p>
</form>`);
}

export function errorPage(issues: string[], merchantName?: string): string {
  return shell(`<div class="body"><h1 class="errorTitle">This payment request cannot be processed</h1>
${merchantName ? `<p class="fineprint">Merchant: ${escapeHtml(merchantName)}</p>` : ''}
<ul class="errors" role="alert" data-testid="psp-errors">${issues.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>
<p class="fineprint">Nothing was charged. Go back to the shop and start the payment again.</p></div>`);
}
