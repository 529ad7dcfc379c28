import { z } from 'zod';
import { PAY_METHODS } from '@/lib/payments/pay-method';
import type { OrderStatus } from '@/lib/payments/get-order-status';
import { isCalendarDate } from '@/lib/kst';
import { blankToUndefined } from './search-params';

/** Every status an order can show (lib/payments/get-order-status.ts), in the order of its life. */
export const ORDER_STATUSES = [
  'AWAITING_PAYMENT', 'CONFIRMING', 'AWAITING_DEPOSIT', 'PAID', 'PAYMENT_FAILED', 'PARTIALLY_REFUNDED', 'REFUNDED',
] as const satisfies readonly OrderStatus[];

export const DEFAULT_PAGE_SIZE = 20;

const kstDate = z.string().refine(isCalendarDate, 'must be a real date like 2025-01-31');

/**
 * Filters of the orders list: in the page URL (`/dashboard/orders?q=&status=&from=&to=&page=`)
 * and in `GET /api/merchant/orders`. Blank fields mean "no filter"; dates are KST days, inclusive.
 */
export const orderSearchSchema = z.object({
  /** An order id, or the start of one. */
  q: z.preprocess(blankToUndefined, z.string().max(64, 'is longer than any order id')
    .regex(/^[A-Za-z0-9_-]+$/, 'an order id has only letters, digits, - and _').optional()),
  status: z.preprocess(blankToUndefined, z.enum(ORDER_STATUSES, { error: `must be one of ${ORDER_STATUSES.join(', ')}` }).optional()),
  /** How the order's current attempt was paid (known once the PSP answered). */
  method: z.preprocess(blankToUndefined, z.enum(PAY_METHODS, { error: `must be one of ${PAY_METHODS.join(', ')}` }).optional()),
  from: z.preprocess(blankToUndefined, kstDate.optional()),
  to: z.preprocess(blankToUndefined, kstDate.optional()),
  page: z.preprocess(blankToUndefined, z.coerce.number({ error: 'must be a page number' }).int('must be a page number').min(1, 'must be 1 or more').max(100_000).default(1)),
  pageSize: z.preprocess(blankToUndefined, z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1).max(100).default(DEFAULT_PAGE_SIZE)),
}).refine((f) => !f.from || !f.to || f.from <= f.to, { path: ['to'], message: 'must not be before "from"' });

export type OrderSearch = z.output<typeof orderSearchSchema>;

/** The query string of a search, without blank filters or defaults: `q=ord_1&page=2`. */
export function orderSearchQuery(search: OrderSearch, overrides: Partial<OrderSearch> = {}): string {
  const s = { ...search, ...overrides };
  const params = new URLSearchParams();
  if (s.q) params.set('q', s.q);
  if (s.status) params.set('status', s.status);
  if (s.method) params.set('method', s.method);
  if (s.from) params.set('from', s.from);
  if (s.to) params.set('to', s.to);
  if (s.page !== 1) params.set('page', String(s.page));
  if (s.pageSize !== DEFAULT_PAGE_SIZE) params.set('pageSize', String(s.pageSize));
  return params.toString();
}

export const hasOrderFilters = (s: OrderSearch) => Boolean(s.q || s.status || s.method || s.from || s.to);
