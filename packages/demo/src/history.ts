import type { approvals, decisions, reservations, trustScoreHistory } from "@tollgate/db";
import type { DemoAgent, Temperament } from "./cast";
import type { Random } from "@tollgate/simulator";

type DecisionRow = typeof decisions.$inferInsert;
type ReservationRow = typeof reservations.$inferInsert;
type ApprovalRow = typeof approvals.$inferInsert;
type TrustRow = typeof trustScoreHistory.$inferInsert;
interface SessionRow {
  id: string;
  organizationId: string;
  agentId: string;
  externalId: string;
  startedAt: Date;
  lastSeenAt: Date;
}

export interface History {
  sessions: SessionRow[];
  decisions: DecisionRow[];
  reservations: ReservationRow[];
  approvals: ApprovalRow[];
  trust: TrustRow[];
}

export interface HistoryInput {
  random: Random;
  organizationId: string;
  now: Date;
  days: number;
  agents: readonly { id: string; cast: DemoAgent; delegationIn?: { id: string; chain: string[] } }[];
  reviewerIds: readonly string[];
  /** Spends above this need a human (the demo policies' threshold, in minor units). */
  approvalThreshold: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const reason = (code: string, message: string, rule: string) => ({ code, message, rule, policyVersion: 1 });

/**
 * The trust score an agent of each temperament drifts towards over the history, and why (the
 * trust model's reason codes). Today's score is then computed by the model itself from the
 * synthesized decisions (see seed.ts), so the last point of each history is the real one.
 */
const trustCourse: Record<Temperament, { start: number; end: number; reasons: { code: string; message: string; points: number }[] }> = {
  careful: {
    start: 690,
    end: 785,
    reasons: [
      { code: "cleanCommits", message: "30 days of committed spend within envelopes", points: 48 },
      { code: "tenureDays", message: "active for more than 30 days", points: 22 },
      { code: "approvalsGranted", message: "every approval request was granted", points: 15 },
    ],
  },
  loopy: {
    start: 640,
    end: 455,
    reasons: [
      { code: "loopTrips", message: "repeated identical calls stopped by the loop limit", points: -96 },
      { code: "policyDenials", message: "calls denied by policy", points: -41 },
      { code: "tenureDays", message: "active for more than 30 days", points: 12 },
    ],
  },
  drifting: {
    start: 700,
    end: 560,
    reasons: [
      { code: "anomalies", message: "spend rising far above its own baseline", points: -72 },
      { code: "approvalsRejected", message: "reviewers rejected several approval requests", points: -38 },
      { code: "budgetExhaustions", message: "daily envelope exhausted on several days", points: -25 },
    ],
  },
  over_delegating: {
    start: 660,
    end: 590,
    reasons: [
      { code: "policyDenials", message: "delegates asked for actions outside the delegated scope", points: -44 },
      { code: "cleanCommits", message: "its own spend stayed within envelopes", points: 20 },
      { code: "tenureDays", message: "active for more than 30 days", points: 12 },
    ],
  },
};

/** Synthesizes `days` of decisions, holds, commits, approvals and trust scores for the demo agents. */
export function synthesizeHistory(input: HistoryInput): History {
  const { random, organizationId, now } = input;
  const history: History = { sessions: [], decisions: [], reservations: [], approvals: [], trust: [] };
  const start = now.getTime() - input.days * DAY;

  for (const { id: agentId, cast, delegationIn } of input.agents) {
    const course = trustCourse[cast.traffic.temperament];
    const suspendedFromDay = cast.suspended ? Math.floor(input.days * 0.25) : Number.POSITIVE_INFINITY;
    let requestCounter = 0;

    for (let day = 0; day < input.days; day++) {
      const dayStart = start + day * DAY;
      const progress = day / Math.max(1, input.days - 1);
      const score = Math.round(course.start + (course.end - course.start) * progress + random.int(-6, 6));
      history.trust.push({
        organizationId,
        agentId,
        score: Math.min(850, Math.max(300, score)),
        reasons: course.reasons,
        computedAt: new Date(dayStart + 23 * 60 * MINUTE),
      });
      if (day > suspendedFromDay) continue;

      const weekday = new Date(dayStart).getUTCDay();
      const busy = weekday === 0 || weekday === 6 ? 0.4 : 1;
      let remaining = Math.max(1, Math.round(cast.traffic.callsPerDay * busy * (0.7 + random.next() * 0.6)));
      while (remaining > 0) {
        const sessionStart = dayStart + random.int(7 * 60, 19 * 60) * MINUTE;
        if (sessionStart > now.getTime() - 5 * MINUTE) break;
        const session: SessionRow = {
          id: random.uuid(),
          organizationId,
          agentId,
          externalId: `${cast.name}-${day}-${remaining}`,
          startedAt: new Date(sessionStart),
          lastSeenAt: new Date(sessionStart),
        };
        history.sessions.push(session);
        const calls = Math.min(remaining, random.int(3, 9));
        remaining -= calls;
        let at = sessionStart;
        let loopStreak = 0;
        for (let call = 0; call < calls; call++) {
          at += random.int(5, 240) * 1000;
          const kind = random.pick(cast.traffic.calls);
          const drift = cast.traffic.temperament === "drifting" ? 1 + 2.5 * progress : 1;
          const amount = Math.round(random.int(kind.minAmount, kind.maxAmount) * drift);
          const decision: DecisionRow = {
            id: random.uuid(),
            organizationId,
            agentId,
            sessionId: session.id,
            requestId: `req-${cast.name}-${++requestCounter}`,
            action: kind.action,
            amount,
            currency: "USD",
            merchant: kind.merchant,
            category: kind.category,
            chain: [agentId],
            outcome: "allow",
            reasons: [],
            snapshotVersion: 1,
            workerId: "demo-worker-1",
            latencyUs: random.int(120, 900),
            createdAt: new Date(at),
          };
          if (delegationIn && random.chance(0.5)) {
            decision.onBehalfOf = delegationIn.id;
            decision.chain = delegationIn.chain;
          }
          history.decisions.push(decision);
          session.lastSeenAt = new Date(at);

          if (day === suspendedFromDay) {
            decision.outcome = "deny";
            decision.reasons = [reason("agent_suspended", "the agent is suspended", "agent-status")];
            continue;
          }
          const temperament = cast.traffic.temperament;
          if (temperament === "loopy" && (loopStreak > 0 || random.chance(0.12))) {
            // A retry loop: the same call again and again until the loop limit stops it.
            loopStreak++;
            if (loopStreak >= 3) {
              decision.outcome = "deny";
              decision.reasons = [reason("loop_detected", "the same call was repeated 3 times within 60 s", "loop-limit")];
              if (loopStreak >= 5) loopStreak = 0;
              continue;
            }
          }
          if (temperament === "over_delegating" && random.chance(0.08)) {
            decision.outcome = "deny";
            decision.reasons = [
              reason("delegation_out_of_scope", `${kind.action} is outside the delegated scope`, "delegation-scope"),
            ];
            continue;
          }
          if (random.chance(temperament === "drifting" ? 0.04 + 0.12 * progress : 0.02)) {
            decision.outcome = "deny";
            decision.reasons = [reason("envelope_exhausted", "the daily envelope would be exceeded", "daily-envelope")];
            continue;
          }
          const reservationId = random.uuid();
          const holdUntil = new Date(at + 15 * MINUTE);
          if (amount > input.approvalThreshold) {
            decision.outcome = "pending";
            decision.reasons = [
              reason("approval_required_amount", `spends over ${input.approvalThreshold / 100} USD need a reviewer`, "approve-large"),
            ];
            const roll = random.next();
            const status = roll < (temperament === "drifting" ? 0.55 : 0.85) ? "approved" : roll < 0.95 ? "denied" : "expired";
            const decidedAt = new Date(at + random.int(1, 12) * MINUTE);
            history.approvals.push({
              organizationId,
              decisionId: decision.id!,
              agentId,
              reservationId,
              action: kind.action,
              merchant: kind.merchant,
              amount,
              currency: "USD",
              reasons: decision.reasons,
              status,
              approvedAmount: status === "approved" ? amount : null,
              decidedByUserId: status === "expired" ? null : random.pick(input.reviewerIds),
              decidedAt: status === "expired" ? holdUntil : decidedAt,
              note: status === "denied" ? "not in this quarter's plan" : null,
              expiresAt: holdUntil,
              createdAt: new Date(at),
            });
            history.reservations.push({
              id: reservationId,
              organizationId,
              agentId,
              decisionId: decision.id!,
              amount,
              currency: "USD",
              status: status === "approved" ? "committed" : status === "denied" ? "released" : "expired",
              committedAmount: status === "approved" ? amount : null,
              expiresAt: holdUntil,
              createdAt: new Date(at),
              settledAt: status === "approved" ? new Date(decidedAt.getTime() + 20_000) : status === "denied" ? decidedAt : holdUntil,
            });
            continue;
          }
          const settle = random.next();
          const status = settle < 0.88 ? "committed" : settle < 0.97 ? "released" : "expired";
          history.reservations.push({
            id: reservationId,
            organizationId,
            agentId,
            decisionId: decision.id!,
            amount,
            currency: "USD",
            status,
            committedAmount: status === "committed" ? Math.max(1, Math.round(amount * (0.7 + random.next() * 0.3))) : null,
            expiresAt: holdUntil,
            createdAt: new Date(at),
            settledAt: status === "expired" ? holdUntil : new Date(at + random.int(2, 90) * 1000),
          });
        }
      }
    }
  }
  return history;
}
