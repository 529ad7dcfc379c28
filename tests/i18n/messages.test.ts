import { describe, expect, it } from 'vitest';
import { accountCode, journalKind, paymentStatus, reconciliationClass, refundStatus } from '@/db/schema';
import { ORDER_STATUSES } from '@/lib/dashboard/order-search-params';
import { EXPECTED_WORKERS } from '@/lib/dashboard/system-health';
import { LOCALES } from '@/lib/i18n/locale';
import { MESSAGES } from '@/lib/i18n/messages';
import type { ReconciliationReason } from '@/db/schema';
import { apiErrorText, pspErrorText, reconReasonText, shopperHeadline, wordFor } from '@/lib/i18n/words';
import { PAYMENT_TRANSITIONS } from '@/lib/payments/state-machine';
import en from '@/messages/en.json';
import ko from '@/messages/ko.json';

type Tree = { [k: string]: string | Tree };

/** Every leaf as `path → text`. */
function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of leaves(v, key)) out.set(kk, vv);
  }
  return out;
}
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('messages/ko.json and messages/en.json', () => {
  const ko_ = leaves(ko as Tree);
  const en_ = leaves(en as Tree);

  it('have the same keys', () => {
    expect([...ko_.keys()].filter((k) => !en_.has(k))).toEqual([]);
    expect([...en_.keys()].filter((k) => !ko_.has(k))).toEqual([]);
  });

  it('fill every message, with the same placeholders in both languages', () => {
    for (const [key, text] of ko_) {
      expect(text.trim(), key).not.toBe('');
      expect(en_.get(key)?.trim(), key).not.toBe('');
      expect(placeholders(en_.get(key) ?? ''), key).toEqual(placeholders(text));
    }
  });

  it('the Korean file is Korean: most shopper and dashboard sentences hold Hangul', () => {
    const hangul = [...ko_.entries()].filter(([k]) => !k.startsWith('common.en') && !k.startsWith('common.ko'));
    const korean = hangul.filter(([, v]) => /[가-힣]/.test(v));
    expect(korean.length / hangul.length).toBeGreaterThan(0.95);
  });
});

describe('every code a page shows has words in both languages', () => {
  const groups = {
    orderStatus: ORDER_STATUSES,
    paymentStatus: paymentStatus.enumValues,
    refundStatus: refundStatus.enumValues,
    account: accountCode.enumValues,
    journalKind: journalKind.enumValues,
    reconClass: reconciliationClass.enumValues,
    paymentEvent: [...Object.keys(PAYMENT_TRANSITIONS), 'CREATED', 'TAMPER_REJECTED'],
  } as const;
  for (const locale of LOCALES) {
    for (const [group, codes] of Object.entries(groups)) {
      it(`${locale}: ${group}`, () => {
        const words = MESSAGES[locale][group as keyof typeof groups] as Record<string, string>;
        expect(codes.filter((c) => !words[c])).toEqual([]);
      });
    }
    it(`${locale}: the workers of the health panel`, () => {
      expect(EXPECTED_WORKERS.filter((w) => !MESSAGES[locale].health.worker[w])).toEqual([]);
    });
  }

  it('statuses read as words, never the enum', () => {
    expect(wordFor('ko', 'orderStatus', 'PAID')).toBe('결제 완료');
    expect(wordFor('en', 'orderStatus', 'PAID')).toBe('Paid');
    expect(wordFor('en', 'orderStatus', 'PAYMENT_FAILED')).toBe('Payment failed');
    // A code newer than the messages is made readable, not shown raw.
    expect(wordFor('en', 'paymentEvent', 'SOMETHING_NEW')).toBe('something new');
  });
});

describe('PSP error codes', () => {
  const TOSS_CODES = [
    'REJECT_CARD_COMPANY', 'REJECT_CARD_PAYMENT', 'PAY_PROCESS_CANCELED', 'EXCEED_MAX_DAILY_PAYMENT_COUNT', 'INVALID_CARD_EXPIRATION',
    'INVALID_STOPPED_CARD', 'EXCEED_MAX_AMOUNT', 'BELOW_MINIMUM_AMOUNT', 'NOT_FOUND_PAYMENT_SESSION', 'FDS_ERROR', 'UNKNOWN_PAYMENT_ERROR',
    'DUPLICATED_ORDER_ID', 'EXPIRED_PAYMENT', 'PAYMENT_WINDOW_EXPIRED',
  ];

  it('known codes get our own wording in each language, not the PSP text', () => {
    for (const code of TOSS_CODES) {
      const koText = pspErrorText('ko', code, 'PSP TEXT');
      const enText = pspErrorText('en', code, 'PSP TEXT');
      expect(koText, code).toMatch(/[가-힣]/);
      expect(enText, code).toMatch(/^[\x20-\x7E’—–]+$/);
      expect(koText).not.toBe('PSP TEXT');
      expect(enText).not.toBe('PSP TEXT');
    }
    expect(pspErrorText('en', 'EXCEED_MAX_DAILY_PAYMENT_COUNT', '')).toContain("today's limit");
  });

  it('an unknown code falls back to the PSP’s message, then to readable words', () => {
    expect(pspErrorText('en', 'NEW_TOSS_CODE', '새로운 오류입니다.')).toBe('새로운 오류입니다.');
    expect(pspErrorText('ko', 'NEW_TOSS_CODE', '')).toBe('new toss code');
  });

  it('API errors: ours by code, else the server message', () => {
    expect(apiErrorText('ko', { code: 'AMOUNT_MISMATCH', message: 'x' })).toMatch(/결제 금액이 주문 금액과 다릅니다/);
    expect(apiErrorText('en', { code: 'SOMETHING', message: 'as the server said' })).toBe('as the server said');
  });
});

describe('what a shopper reads on the order page', () => {
  const failed = (code: string) => ({ status: 'PAYMENT_FAILED', payment: { failure: { code } } });
  it('tells a cancel, a time-out and a refusal apart', () => {
    expect(shopperHeadline(failed('PAY_PROCESS_CANCELED'))).toBe('CANCELED');
    expect(shopperHeadline(failed('PAYMENT_WINDOW_EXPIRED'))).toBe('EXPIRED');
    expect(shopperHeadline(failed('EXPIRED_PAYMENT'))).toBe('EXPIRED');
    expect(shopperHeadline(failed('VIRTUAL_ACCOUNT_EXPIRED'))).toBe('EXPIRED');
    expect(shopperHeadline(failed('REJECT_CARD_COMPANY'))).toBe('PAYMENT_FAILED');
    expect(shopperHeadline({ status: 'PAID', payment: { failure: null } })).toBe('PAID');
    expect(shopperHeadline({ status: 'CONFIRMING', payment: null })).toBe('CONFIRMING');
  });

  it('only unpaid states say that nothing was charged', () => {
    for (const locale of LOCALES) {
      const h = MESSAGES[locale].order.headline;
      const nothing = locale === 'ko' ? '결제된 금액은 없습니다' : 'Nothing was charged';
      for (const paid of ['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED', 'CONFIRMING'] as const) expect(h[paid]).not.toContain(nothing);
      for (const unpaid of ['PAYMENT_FAILED', 'EXPIRED', 'CANCELED'] as const) expect(h[unpaid]).toContain(nothing);
      expect(MESSAGES[locale].confirm.alreadyPaid).not.toContain(nothing);
    }
  });
});

describe('reconciliation reasons', () => {
  // One of each code: the mapped type makes a new code without an entry here a type error.
  const money = { pspAmount: 15_000, ourAmount: 12_000, currency: 'KRW' };
  const one: { [C in ReconciliationReason['code']]: Extract<ReconciliationReason, { code: C }> } = {
    SETTLED_UNKNOWN_TO_US: { code: 'SETTLED_UNKNOWN_TO_US', count: 2, orderId: 'ord_1' },
    SETTLED_BUT_NOT_FINISHED: { code: 'SETTLED_BUT_NOT_FINISHED', ourStatus: 'FAILURE' },
    SETTLED_AMOUNT_DIFFERS: { code: 'SETTLED_AMOUNT_DIFFERS', ...money },
    SETTLED_REFUNDS_DIFFER: { code: 'SETTLED_REFUNDS_DIFFER', ...money },
    SETTLED_AS_APPROVED: { code: 'SETTLED_AS_APPROVED' },
    NO_RECORD_AT_PSP: { code: 'NO_RECORD_AT_PSP', ourStatus: 'SUCCESS' },
    NO_CHARGE_EITHER_SIDE: { code: 'NO_CHARGE_EITHER_SIDE' },
    PSP_UNREADABLE: { code: 'PSP_UNREADABLE', reason: 'TypeError: fetch failed' },
    STATUS_DIFFERS: { code: 'STATUS_DIFFERS', pspStatus: 'DONE', ourStatus: 'FAILURE' },
    CHARGED_AMOUNT_DIFFERS: { code: 'CHARGED_AMOUNT_DIFFERS', ...money },
    REFUNDED_AMOUNT_DIFFERS: { code: 'REFUNDED_AMOUNT_DIFFERS', ...money },
    APPROVED_NOT_SETTLED: { code: 'APPROVED_NOT_SETTLED' },
    NOT_CHARGED_EITHER: { code: 'NOT_CHARGED_EITHER', pspStatus: 'ABORTED' },
    CANCELLED_AT_PSP: { code: 'CANCELLED_AT_PSP', pspStatus: 'PARTIAL_CANCELED', ourStatus: 'SUCCESS', ...money },
  };

  it('every reason reads as a sentence in each language: money formatted, statuses named, no raw enum', () => {
    for (const locale of LOCALES) {
      for (const reason of Object.values(one)) {
        const text = reconReasonText(locale, reason);
        expect(text, `${locale} ${reason.code}`).not.toMatch(/[{}]|reconciliation\.reasons/);
        expect(text, `${locale} ${reason.code}`).not.toMatch(/\b(FAILURE|SUCCESS|DONE|ABORTED|PARTIAL_CANCELED|KRW)\b/);
        if ('pspAmount' in reason) expect(text).toContain('₩15,000');
      }
    }
    expect(reconReasonText('en', one.STATUS_DIFFERS)).toBe('The PSP says “Approved”; we have “Failed”.');
    expect(reconReasonText('ko', one.CANCELLED_AT_PSP)).toContain('PG사가 이 결제에서 ₩15,000을 취소했습니다(“부분 취소”)');
  });
});
