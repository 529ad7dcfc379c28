import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { formatMoney } from '@/lib/format';
import { LOCALE_COOKIE, localeOf, type Locale } from '@/lib/i18n/locale';
import { MESSAGES } from '@/lib/i18n/messages';
import { PAY_WITH, type PayWith, preselected } from '../lib/pay-methods';
import type { ParsedWindowRequest } from '../lib/window-request';

/**
 * The payment window's HTML, rendered on the sandbox's own server: what Toss's window is to a real
 * checkout. The merchant's checkout opens GET /window with the fields of `requestPayment` in the
 * query string; the buyer approves, declines or cancels, and the form posts to /window/authorize,
 * which redirects to successUrl/failUrl. No script at all; the one stylesheet is inline and allowed
 * by its hash, and its font (Pretendard, for Korean on machines without CJK fonts) is served by
 * this server, so the CSP can forbid everything else. Korean by default, English on request
 * (`lang=en`, or the shop's language cookie when the shop shares the host).
 */
const requireHere = createRequire(path.join(__dirname, 'page.ts'));

/** The font files the window serves under /window/fonts/, from the npm package. */
export const WINDOW_FONTS: Record<string, string> = {
  'pretendard-400.woff2': requireHere.resolve('pretendard/dist/web/static/woff2-subset/Pretendard-Regular.subset.woff2'),
  'pretendard-700.woff2': requireHere.resolve('pretendard/dist/web/static/woff2-subset/Pretendard-Bold.subset.woff2'),
};

const FONT_FACES = Object.keys(WINDOW_FONTS).map((file) => `@font-face { font-family: "Pretendard"; font-style: normal; font-display: swap; font-weight: ${file.match(/(\d+)\.woff2$/)![1]}; src: url("/window/fonts/${file}") format("woff2"); }`).join('\n');
const CSS = `${FONT_FACES}\n${readFileSync(path.join(__dirname, 'window.css'), 'utf8')}`;
const CSS_HASH = createHash('sha256').update(CSS).digest('base64');

/** No scripts, no frames; styles only the inline sheet above, fonts only from this server. */
export const WINDOW_CSP = `default-src 'none'; style-src 'sha256-${CSS_HASH}'; font-src 'self'; base-uri 'none'; frame-ancestors 'none'`;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** The window's language: `lang` in the query, else the shop's cookie, else Korean. */
export function windowLocale(req: Request): Locale {
  const url = new URL(req.url);
  const asked = url.searchParams.get('lang');
  if (asked) return localeOf(asked);
  const cookie = (req.headers.get('cookie') ?? '').split(/;\s*/).find((c) => c.startsWith(`${LOCALE_COOKIE}=`));
  return localeOf(cookie?.slice(LOCALE_COOKIE.length + 1));
}

/** Two links that reopen the same window in the other language (no script: plain links). */
function localeLinks(locale: Locale, query: URLSearchParams | null): string {
  if (!query) return '';
  return `<nav class="langs" aria-label="${escapeHtml(MESSAGES[locale].common.language)}" data-testid="locale-switch">${(['ko', 'en'] as const).map((l) => {
    const q = new URLSearchParams(query);
    q.set('lang', l);
    return l === locale
      ? `<strong lang="${l}" data-testid="locale-${l}">${escapeHtml(MESSAGES[l].common[l])}</strong>`
      : `<a lang="${l}" href="/window?${escapeHtml(q.toString())}" data-testid="locale-${l}">${escapeHtml(MESSAGES[l].common[l])}</a>`;
  }).join('')}</nav>`;
}

function shell(locale: Locale, brand: string, body: string, query: URLSearchParams | null): string {
  const t = MESSAGES[locale].psp;
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(brand)} · ${escapeHtml(t.title)}</title><style>${CSS}</style></head>
<body><div class="screen"><div class="window" role="dialog" aria-labelledby="psp-title">
<header class="header"><span class="brand" id="psp-title" data-testid="psp-brand">${escapeHtml(brand)}</span><span class="sandboxBadge" data-testid="psp-sandbox-badge">SANDBOX · ${escapeHtml(t.sandboxBadge)}</span></header>
<p class="sandboxNote">${escapeHtml(t.sandboxNote)}</p>${localeLinks(locale, query)}
${body}
</div></div></body></html>`;
}

export function windowPage(parsed: ParsedWindowRequest, locale: Locale = 'ko', query: URLSearchParams | null = null): string {
  if (!parsed.ok) return errorPage(parsed.issues, parsed.merchant?.name, locale);
  const t = MESSAGES[locale].psp;
  const { merchant, request } = parsed;
  // The shopper buys from the shop, not from the platform that holds the PSP contract.
  const shop = request.shopName ?? merchant.name;
  const amount = escapeHtml(formatMoney(request.amount, request.currency));
  const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const optionalHidden = (['method', 'easyPay', 'validHours', 'customerName'] as const)
    .map((name) => (request[name] === undefined ? '' : hidden(name, String(request[name])))).join('');
  return shell(locale, shop, `<form method="post" action="/window/authorize" class="body">
<dl class="summary"><dt>${escapeHtml(t.merchant)}</dt><dd data-testid="psp-merchant">${escapeHtml(shop)}</dd>
<dt>${escapeHtml(t.order)}</dt><dd data-testid="psp-order-name">${escapeHtml(request.orderName)}</dd>
<dt>${escapeHtml(t.amount)}</dt><dd class="amount" data-testid="psp-amount">${amount}</dd></dl>
${payWithChoices(preselected(request.method, request.easyPay))}
${hidden('clientKey', request.clientKey)}${hidden('orderId', request.orderId)}${hidden('orderName', request.orderName)}${hidden('amount', String(request.amount))}${hidden('currency', request.currency)}${hidden('successUrl', request.successUrl)}${hidden('failUrl', request.failUrl)}${optionalHidden}
<div class="actions">
<button type="submit" name="action" value="approve" class="approve" data-testid="psp-approve">${escapeHtml(t.approve.replace('{amount}', formatMoney(request.amount, request.currency)))}</button>
<button type="submit" name="action" value="decline" class="decline" data-testid="psp-decline">${escapeHtml(t.decline)}</button>
<button type="submit" name="action" value="cancel" class="cancel" data-testid="psp-cancel">${escapeHtml(t.cancel)}</button>
</div>
<p class="fineprint">${escapeHtml(t.orderId.replace('{orderId}', request.orderId))}<br>${escapeHtml(t.poweredBy)} · ${escapeHtml(merchant.name)}</p>
</form>`, query);
}

/** One radio button per way to pay (card, easy pay, transfer, phone, virtual account); no script needed. */
function payWithChoices(checked: PayWith): string {
  const options = (Object.keys(PAY_WITH) as PayWith[]).map((key) => `<label class="choice"><input type="radio" name="payWith" value="${key}" data-testid="psp-pay-with-${key}"${key === checked ? ' checked' : ''}> ${escapeHtml(PAY_WITH[key].label)}</label>`);
  return `<fieldset class="payWith"><legend>결제수단 · Pay with</legend>${options.join('')}</fieldset>`;
}

export function errorPage(issues: string[], merchantName?: string, locale: Locale = 'ko'): string {
  const t = MESSAGES[locale].psp;
  return shell(locale, merchantName ?? 'PSP Sandbox', `<div class="body"><h1 class="errorTitle">${escapeHtml(t.errorTitle)}</h1>
<ul class="errors" role="alert" data-testid="psp-errors">${issues.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>
<p class="fineprint">${escapeHtml(t.errorFooter)}</p></div>`, null);
}
