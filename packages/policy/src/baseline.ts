import { z } from "zod";
import { currencySchema } from "./money";

const minorUnits = z.int({ error: "must be a whole number of minor units" }).nonnegative({ error: "must not be negative" });

/**
 * What an agent usually spends in one currency: the median and the median absolute deviation
 * (MAD) of its committed spends over a recent window. Robust statistics: a handful of outliers,
 * including the anomalies the gate is looking for, barely move either.
 */
export const spendBaselineSchema = z.strictObject({
  currency: currencySchema,
  median: minorUnits,
  mad: minorUnits,
  /** How many committed spends the baseline summarizes. */
  samples: z.int().positive({ error: "must be a positive whole number" }),
});

export type SpendBaseline = z.infer<typeof spendBaselineSchema>;

/** 1.4826 × MAD estimates the standard deviation of normally distributed spends. */
const MAD_TO_SIGMA = 1.4826;

/**
 * The amount above which a spend is "far above" the baseline: the median plus `deviations`
 * robust standard deviations. The spread is at least half the median, so an agent that always
 * spends the same amount (MAD 0) is not flagged for a cent more.
 *
 * @example anomalyThreshold({ currency: "EUR", median: 1000, mad: 0, samples: 50 }, 6) // 4000
 */
export function anomalyThreshold(baseline: SpendBaseline, deviations: number): number {
  const spread = Math.max(MAD_TO_SIGMA * baseline.mad, baseline.median / 2);
  return Math.floor(baseline.median + deviations * spread);
}
