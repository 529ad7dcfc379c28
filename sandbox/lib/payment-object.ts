import type { pspPayments } from '../db/schema';
import { toKstIso } from './clock';
import { TRANSFER_BANK_CODE, methodLabel } from './pay-methods';

export type PspPaymentRow = typeof pspPayments.$inferSelect;

/** The API version this sandbox speaks (Toss binds the version to the key; we have one). */
export const API_VERSION = '2022-11-16';

/** Issuer and acquirer of every sandbox card: "41" (신한카드) in Toss's two-character card codes. */
const CARD_COMPANY_CODE = '41';

const PAID = new Set(['DONE', 'CANCELED', 'PARTIAL_CANCELED']);

/**
 * Toss's Payment object (reference §2.1) for a sandbox payment, as of `at` (a virtual account's
 * `expired` depends on it). KRW without tax-free parts; the block of the method used is filled
 * and the others are null, as Toss sends them. Amount fields follow the remaining balance, as
 * Toss's do after cancels.
 */
export function toPaymentObject(p: PspPaymentRow, at: Date = new Date()) {
  const paid = PAID.has(p.status);
  const vat = Math.round(p.balanceAmount / 11);
  const isCard = p.method === 'CARD';
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
    card: paid && isCard
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
    virtualAccount: p.method === 'VIRTUAL_ACCOUNT' ? virtualAccountBlock(p, at) : null,
    transfer: paid && p.method === 'TRANSFER' ? { bankCode: TRANSFER_BANK_CODE, settlementStatus: 'COMPLETED' } : null,
    mobilePhone: paid && p.method === 'MOBILE_PHONE'
      ? { customerMobilePhone: '01000000000', settlementStatus: 'COMPLETED', receiptUrl: receiptUrl(p) }
      : null,
    giftCertificate: null,
    cashReceipt: null,
    cashReceipts: null,
    discount: null,
    cancels: p.cancels.length > 0 ? p.cancels : null,
    // Shown from confirm on: before it, the buyer is still in the window.
    secret: p.status === 'READY' || p.status === 'IN_PROGRESS' ? null : p.secret,
    type: 'NORMAL',
    easyPay: p.easyPayProvider ? { provider: p.easyPayProvider, amount: 0, discountAmount: 0 } : null,
    country: 'KR',
    failure: p.failure ?? null,
    isPartialCancelable: true,
    // Toss's test-mode receipts live on dashboard-sandbox.tosspayments.com; the sandbox has no
    // receipt page of its own, so these are realistic in shape only.
    receipt: paid && p.lastTransactionKey ? { url: receiptUrl(p) } : null,
    checkout: { url: `https://api.tosspayments.com/v1/payments/${encodeURIComponent(p.paymentKey)}/checkout` },
    currency: p.currency,
    totalAmount: p.amount,
    balanceAmount: p.balanceAmount,
    suppliedAmount: p.balanceAmount - vat,
    vat,
    taxFreeAmount: 0,
    metadata: null,
    method: methodLabel(p.method, p.easyPayProvider),
    version: API_VERSION,
  };
}

function receiptUrl(p: PspPaymentRow): string {
  return `https://dashboard-sandbox.tosspayments.com/receipt/redirection?transactionId=${p.lastTransactionKey ?? ''}&ref=PX`;
}

/**
 * Toss's `virtualAccount` block. `expired` turns true when the due date passes, while the status
 * stays WAITING_FOR_DEPOSIT: Toss neither changes the status nor sends a webhook then
 * (reference §3), so a merchant learns it only by looking the payment up.
 */
function virtualAccountBlock(p: PspPaymentRow, at: Date) {
  const refunded = p.status === 'CANCELED' || p.status === 'PARTIAL_CANCELED';
  return {
    accountType: '일반',
    accountNumber: p.vaAccountNumber,
    bankCode: p.vaBankCode,
    customerName: p.vaCustomerName,
    depositorName: p.status === 'DONE' || refunded ? p.vaCustomerName : null,
    dueDate: p.vaDueAt ? toKstIso(p.vaDueAt) : null,
    // Refunds of a deposit are paid out by the sandbox at once; a cancel before the deposit refunds nothing.
    refundStatus: refunded && p.approvedAt ? 'COMPLETED' : 'NONE',
    expired: p.status === 'WAITING_FOR_DEPOSIT' && p.vaDueAt !== null && at.getTime() > p.vaDueAt.getTime(),
    settlementStatus: p.status === 'DONE' || refunded ? 'COMPLETED' : 'INCOMPLETED',
    refundReceiveAccount: null,
  };
}

export type PaymentObject = ReturnType<typeof toPaymentObject>;
