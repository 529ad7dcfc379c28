import type { pspPayments } from '../db/schema';
import { toKstIso } from './clock';

export type PspPaymentRow = typeof pspPayments.$inferSelect;

/** The API version this sandbox speaks (Toss binds the version to the key; we have one). */
export const API_VERSION = '2022-11-16';

/** Issuer and acquirer of every sandbox card: "41" (신한카드) in Toss's two-character card codes. */
const CARD_COMPANY_CODE = '41';

const PAID = new Set(['DONE', 'CANCELED', 'PARTIAL_CANCELED']);

/**
 * Toss's Payment object (reference §2.1) for a sandbox payment. The sandbox only does card
 * payments in KRW without tax-free parts, so most method blocks are null, as Toss sends them
 * for a card payment. Amount fields follow the remaining balance, as Toss's do after cancels.
 */
export function toPaymentObject(p: PspPaymentRow) {
  const paid = PAID.has(p.status);
  const vat = Math.round(p.balanceAmount / 11);
  return {
    mId: p.mId,
    lastTransactionKey: p.lastTransactionKey,
    paymentKey: p.paymentKey,
    orderId: p.orderId,
    orderName: p.orderName,
    taxExemptionAmount: 0,
    status: p.status,
    requestedAt: toKstIso(p.requestedAt),
    approvedAt: p.approvedAt ? toKstIso(p.approvedAt) : null,
    useEscrow: false,
    cultureExpense: false,
    card: paid
      ? {
          issuerCode: CARD_COMPANY_CODE,
          acquirerCode: CARD_COMPANY_CODE,
          number: p.cardNumber,
          installmentPlanMonths: 0,
          isInterestFree: false,
          interestPayer: null,
          approveNo: p.approveNo,
          useCardPoint: false,
          cardType: '신용',
          ownerType: '개인',
          // A partly cancelled card payment is still acquired for what remains.
          acquireStatus: p.status === 'CANCELED' ? 'CANCELED' : 'READY',
          amount: p.amount,
        }
      : null,
    virtualAccount: null,
    transfer: null,
    mobilePhone: null,
    giftCertificate: null,
    cashReceipt: null,
    cashReceipts: null,
    discount: null,
    cancels: p.cancels.length > 0 ? p.cancels : null,
    secret: null,
    type: 'NORMAL',
    easyPay: null,
    country: 'KR',
    failure: p.failure ?? null,
    isPartialCancelable: true,
    // Toss's test-mode receipts live on dashboard-sandbox.tosspayments.com; the sandbox has no
    // receipt page of its own, so these are realistic in shape only.
    receipt: paid && p.lastTransactionKey
      ? { url: `https://dashboard-sandbox.tosspayments.com/receipt/redirection?transactionId=${p.lastTransactionKey}&ref=PX` }
      : null,
    checkout: { url: `https://api.tosspayments.com/v1/payments/${encodeURIComponent(p.paymentKey)}/checkout` },
    currency: p.currency,
    totalAmount: p.amount,
    balanceAmount: p.balanceAmount,
    suppliedAmount: p.balanceAmount - vat,
    vat,
    taxFreeAmount: 0,
    metadata: null,
    method: '카드',
    version: API_VERSION,
  };
}

export type PaymentObject = ReturnType<typeof toPaymentObject>;
