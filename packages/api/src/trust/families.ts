/**
 * Which control refused a call, by the deny's first reason code. Trust signals count denials by
 * family, and the traffic simulator reports the money each family saved; everything else a deny
 * can say (no grant, an explicit deny, a cap, a delegation's scope, a time window) is `policy`.
 */
export const DENIAL_CODES = {
  envelope: ["envelope_exhausted", "delegation_budget_exhausted"],
  loop: ["loop_detected", "velocity_exceeded", "session_tripped"],
  anomaly: ["spend_anomaly"],
} as const;

/** A pending call sent to a reviewer because it was far above a baseline on its chain: an anomaly too. */
export const ANOMALY_APPROVAL_CODE = "approval_required_anomaly";

export type DenialFamily = keyof typeof DENIAL_CODES | "policy";

/** The family of a deny's first reason code. @example denialFamily("velocity_exceeded") // "loop" */
export function denialFamily(code: string): DenialFamily {
  for (const family of ["envelope", "loop", "anomaly"] as const) {
    if ((DENIAL_CODES[family] as readonly string[]).includes(code)) return family;
  }
  return "policy";
}
