'use client';

import { CHECKOUT_METHODS, type CheckoutMethod } from '@/lib/payments/pay-method';

/** Labels of the ways to pay, as Korean shoppers know them. (Few, kept here for the message files.) */
const LABELS: Record<CheckoutMethod, string> = {
  CARD: '카드 · Card',
  TOSSPAY: '토스페이 · Toss Pay',
  KAKAOPAY: '카카오페이 · Kakao Pay',
  NAVERPAY: '네이버페이 · Naver Pay',
  TRANSFER: '계좌이체 · Bank transfer',
  MOBILE_PHONE: '휴대폰 · Mobile phone',
  VIRTUAL_ACCOUNT: '가상계좌 · Virtual account',
};

/** How the shopper wants to pay; the PSP's window opens with it preselected. Card by default. */
export function PayMethodPicker({ value, onChange }: { value: CheckoutMethod; onChange: (m: CheckoutMethod) => void }) {
  return (
    <fieldset data-testid="pay-method" style={{ border: 0, padding: 0, margin: '12px 0' }}>
      <legend className="muted">결제수단 · Pay with</legend>
      {CHECKOUT_METHODS.map((m) => (
        <label key={m} style={{ display: 'block' }}>
          <input type="radio" name="pay-method" value={m} data-testid={`pay-method-${m}`} checked={value === m} onChange={() => onChange(m)} /> {LABELS[m]}
        </label>
      ))}
    </fieldset>
  );
}
