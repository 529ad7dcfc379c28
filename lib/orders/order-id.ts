import { z } from 'zod';

/** Our order ids are Toss orderIds too: 6–64 letters, digits, - and _. */
export const orderIdSchema = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'is not an order id');
