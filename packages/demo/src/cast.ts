import type { UserRole } from "@tollgate/db";

/** The demo organization: a company whose agents buy, research, travel and advertise. */
// Fixed ids, like the fixed agent keys: the examples and docs can name the demo's organization and
// delegations on every machine.
export const demoOrganization = { id: "de000000-0000-4000-8000-000000000001", slug: "demo", name: "Acme Robotics", timeZone: "Europe/Berlin" } as const;

/** Printed at start so a newcomer can sign in as each role. */
export const demoPassword = "tollgate-demo";

export const demoUsers = [
  { key: "admin", email: "admin@tollgate.dev", name: "Ada Admin", role: "admin" },
  { key: "reviewer", email: "reviewer@tollgate.dev", name: "Rui Reviewer", role: "reviewer" },
  { key: "manager", email: "manager@tollgate.dev", name: "Mia Manager", role: "manager" },
] as const satisfies readonly { key: string; email: string; name: string; role: UserRole }[];

export type DemoUserKey = (typeof demoUsers)[number]["key"];

/** How an agent behaves in the synthetic history; the trust scores follow from it. */
export type Temperament = "careful" | "loopy" | "drifting" | "over_delegating";

export interface TrafficProfile {
  /** Paid calls on a typical day. */
  callsPerDay: number;
  calls: readonly { action: string; merchant: string; category: string; minAmount: number; maxAmount: number }[];
  temperament: Temperament;
}

export interface DemoAgent {
  name: string;
  description: string;
  owner: DemoUserKey;
  tags: readonly string[];
  suspended?: string;
  traffic: TrafficProfile;
}

const stripe = { action: "stripe.charges.create", merchant: "stripe", category: "payments" } as const;
const openai = { action: "openai.chat.completions", merchant: "openai", category: "llm" } as const;
const anthropic = { action: "anthropic.messages.create", merchant: "anthropic", category: "llm" } as const;
const serp = { action: "serpapi.search", merchant: "serpapi", category: "search" } as const;
const flights = { action: "amadeus.flights.book", merchant: "amadeus", category: "travel" } as const;
const hotels = { action: "booking.hotels.reserve", merchant: "booking", category: "travel" } as const;
const ads = { action: "google_ads.budget.increase", merchant: "google_ads", category: "ads" } as const;
const labels = { action: "scale.tasks.create", merchant: "scale", category: "labeling" } as const;

export const demoAgents: readonly DemoAgent[] = [
  {
    name: "checkout-bot",
    description: "Charges customers for completed orders.",
    owner: "admin",
    tags: ["payments", "prod"],
    traffic: { callsPerDay: 24, temperament: "careful", calls: [{ ...stripe, minAmount: 900, maxAmount: 18_000 }] },
  },
  {
    name: "invoice-reconciler",
    description: "Matches supplier invoices and pays the small ones.",
    owner: "manager",
    tags: ["payments", "finance"],
    traffic: { callsPerDay: 10, temperament: "careful", calls: [{ ...stripe, minAmount: 2_000, maxAmount: 40_000 }] },
  },
  {
    name: "research-scout",
    description: "Plans research tasks and hands parts to its helpers.",
    owner: "reviewer",
    tags: ["research"],
    traffic: {
      callsPerDay: 30,
      temperament: "over_delegating",
      calls: [
        { ...openai, minAmount: 2, maxAmount: 180 },
        { ...anthropic, minAmount: 3, maxAmount: 220 },
      ],
    },
  },
  {
    name: "research-summarizer",
    description: "Summarizes sources for research-scout.",
    owner: "reviewer",
    tags: ["research"],
    traffic: { callsPerDay: 26, temperament: "careful", calls: [{ ...anthropic, minAmount: 5, maxAmount: 260 }] },
  },
  {
    name: "web-crawler",
    description: "Searches the web on behalf of the research agents.",
    owner: "admin",
    tags: ["research", "search"],
    traffic: { callsPerDay: 40, temperament: "loopy", calls: [{ ...serp, minAmount: 1, maxAmount: 5 }] },
  },
  {
    name: "travel-booker",
    description: "Books flights and hotels for employees.",
    owner: "manager",
    tags: ["travel"],
    traffic: {
      callsPerDay: 5,
      temperament: "careful",
      calls: [
        { ...flights, minAmount: 12_000, maxAmount: 95_000 },
        { ...hotels, minAmount: 8_000, maxAmount: 60_000 },
      ],
    },
  },
  {
    name: "ad-buyer",
    description: "Moves ad budget between campaigns.",
    owner: "admin",
    tags: ["marketing"],
    traffic: { callsPerDay: 8, temperament: "drifting", calls: [{ ...ads, minAmount: 5_000, maxAmount: 50_000 }] },
  },
  {
    name: "ad-copywriter",
    description: "Drafts ad copy for ad-buyer.",
    owner: "admin",
    tags: ["marketing", "llm"],
    traffic: { callsPerDay: 18, temperament: "careful", calls: [{ ...openai, minAmount: 2, maxAmount: 90 }] },
  },
  {
    name: "support-triage",
    description: "Reads tickets and drafts replies.",
    owner: "reviewer",
    tags: ["support", "llm"],
    traffic: { callsPerDay: 35, temperament: "careful", calls: [{ ...openai, minAmount: 1, maxAmount: 40 }] },
  },
  {
    name: "data-labeler",
    description: "Buys labeling tasks for model evaluation.",
    owner: "manager",
    tags: ["ops"],
    traffic: { callsPerDay: 6, temperament: "drifting", calls: [{ ...labels, minAmount: 1_500, maxAmount: 30_000 }] },
  },
  {
    name: "pricing-experimenter",
    description: "Tries price changes; retries too eagerly.",
    owner: "admin",
    tags: ["payments", "experimental"],
    traffic: { callsPerDay: 12, temperament: "loopy", calls: [{ ...stripe, minAmount: 500, maxAmount: 9_000 }] },
  },
  {
    name: "legacy-batch",
    description: "The old nightly batch job, suspended after a runaway retry loop.",
    owner: "admin",
    tags: ["ops", "legacy"],
    suspended: "runaway retry loop on 2026-11-02; waiting for a fix",
    traffic: { callsPerDay: 3, temperament: "loopy", calls: [{ ...openai, minAmount: 50, maxAmount: 400 }] },
  },
];

/** Who hands what to whom: a constrained scope, a carved-out budget, an expiry in days. */
export const demoDelegations = [
  {
    id: "de000000-0000-4000-8000-0000000000d1",
    delegator: "research-scout",
    delegate: "research-summarizer",
    scope: { actions: ["anthropic.messages.create"], categories: ["llm"] },
    budget: { amount: 5_000, currency: "USD" },
    maxDepth: 1,
    expiresInDays: 30,
  },
  {
    id: "de000000-0000-4000-8000-0000000000d2",
    delegator: "research-summarizer",
    delegate: "web-crawler",
    parent: "research-scout>research-summarizer",
    scope: { actions: ["anthropic.messages.create"], categories: ["llm"] },
    budget: { amount: 1_000, currency: "USD" },
    maxDepth: 0,
    expiresInDays: 14,
  },
  {
    id: "de000000-0000-4000-8000-0000000000d3",
    delegator: "ad-buyer",
    delegate: "ad-copywriter",
    scope: { actions: ["openai.chat.completions"], categories: ["llm"] },
    budget: { amount: 2_000, currency: "USD" },
    maxDepth: 0,
    expiresInDays: 60,
  },
  {
    id: "de000000-0000-4000-8000-0000000000d4",
    delegator: "checkout-bot",
    delegate: "invoice-reconciler",
    scope: { actions: ["stripe.charges.create"], merchants: ["stripe"] },
    budget: { amount: 50_000, currency: "USD" },
    maxDepth: 0,
    expiresInDays: 7,
  },
] as const;
