/**
 * @tollgate/policy — the policy path: documents → compiled, signed snapshots → decisions.
 * Pure: no I/O, no clock but the one passed in, runs on Node and edge runtimes.
 */
export { parsePolicyDocument, type ParseResult } from "./document/parse";
export { policySchema, policyDocumentSchema, ruleSetSchema, tagSchema, type Policy, type PolicyDocument, type RuleSet } from "./document/schema";
export type { ValidationError } from "./document/issues";
export { moneySchema, formatMoney, type Money } from "./money";
export { anomalyThreshold, spendBaselineSchema, type SpendBaseline } from "./baseline";
export { compileSnapshot, type CompileOptions, type CompileResult } from "./compile/compile";
export type { OrganizationState } from "./compile/state";
export type { LintWarning } from "./compile/lint";
export { contentHash, generateSigningKey, hashApiKey, type SigningKey } from "./snapshot/sign";
export type { SignedSnapshot } from "./snapshot/schema";
export { verifySnapshot, type SnapshotError, type TrustedKeys, type VerifyResult } from "./snapshot/verify";
export { loadSnapshot, type LoadedSnapshot, type LoadResult } from "./snapshot/load";
export { findKeyByHash, type KeyLookup } from "./evaluate/authenticate";
export { evaluate } from "./evaluate/evaluate";
export { standingEnvelopes } from "./evaluate/standing";
export {
  decisionRequestSchema,
  REASON_CODES,
  type Decision,
  type DecisionRequest,
  type Envelope,
  type Counter,
  type Outcome,
  type Reason,
  type ReasonCode,
  type ShadowDecision,
  type TraceEntry,
  type Usage,
} from "./evaluate/decision";
export { signReceipt, verifyReceipt, RECEIPT_TYPE, type Ed25519Signer, type ReceiptClaims, type ReceiptCheck } from "./receipt/receipt";
