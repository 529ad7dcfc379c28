import { z } from 'zod';
import { blankToUndefined } from './search-params';

/** The windows the overview offers, in KST days ending today. */
export const OVERVIEW_DAYS = [7, 30, 90] as const;
export type OverviewDays = (typeof OVERVIEW_DAYS)[number];

/** `GET /api/merchant/overview?days=` and the `/dashboard?days=` page share this schema. */
export const overviewParamsSchema = z.object({
  days: z.preprocess(
    blankToUndefined,
    z.enum(['7', '30', '90'], { error: 'must be 7, 30 or 90' }).default('30'),
  ).transform((d) => Number(d) as OverviewDays),
});
export type OverviewParams = z.output<typeof overviewParamsSchema>;
