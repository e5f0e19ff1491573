export {
  MAX_SCORE,
  MIN_SCORE,
  NEUTRAL_SCORE,
  noSignals,
  trustScore,
  trustSignalsSchema,
  type TrustReason,
  type TrustScore,
  type TrustSignals,
} from "./score";
