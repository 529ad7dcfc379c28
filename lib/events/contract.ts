import { z } from 'zod';

/**
 * Versioned event contract shared by the outbox writer, the relay and every consumer.
 * A consumer validates with `paymentEventSchema`; a payload that fails is dead-lettered.
 */
const base = {
  eventId: z.string().min(1),
  version: z.literal(1),
  occurredAt: z.iso.datetime({ offset: true }),
  merchantId: z.string().min(1),
  paymentId: z.string().min(1),
  orderId: z.string().min(1),
  /** Integer minor units of `currency`. */
  amount: z.number().int().nonnegative(),
  currency: z.string().length(3),
};

export const paymentApprovedV1 = z.object({
  ...base,
  type: z.literal('PaymentApproved'),
  pspPaymentKey: z.string(),
  /** The platform fee booked with the approval, in minor units. */
  platformFee: z.number().int().nonnegative(),
  approvedAt: z.iso.datetime({ offset: true }),
});

export const paymentFailedV1 = z.object({
  ...base,
  type: z.literal('PaymentFailed'),
  failureCode: z.string(),
  failureMessage: z.string(),
});

/** A virtual account was issued: the shopper is to deposit `amount` by `dueAt`. No money moved yet. */
export const paymentAwaitingDepositV1 = z.object({
  ...base,
  type: z.literal('PaymentAwaitingDeposit'),
  pspPaymentKey: z.string(),
  bankCode: z.string(),
  dueAt: z.iso.datetime({ offset: true }),
});

/** The bank took a virtual account's deposit back: its approval is reversed (amount and fee). */
export const paymentDepositReversedV1 = z.object({
  ...base,
  type: z.literal('PaymentDepositReversed'),
  pspPaymentKey: z.string(),
  /** The platform fee the reversed approval had booked, reversed with it. */
  platformFee: z.number().int().nonnegative(),
});

export const paymentRefundedV1 = z.object({
  ...base,
  type: z.literal('PaymentRefunded'),
  /** `amount` is this refund's amount; `refundedTotal` all refunds of the payment so far. */
  refundId: z.string(),
  refundedTotal: z.number().int().positive(),
  fullyRefunded: z.boolean(),
});

export const paymentEventSchema = z.discriminatedUnion('type', [paymentApprovedV1, paymentFailedV1, paymentAwaitingDepositV1, paymentDepositReversedV1, paymentRefundedV1]);
export type PaymentEvent = z.infer<typeof paymentEventSchema>;
export type PaymentEventType = PaymentEvent['type'];
