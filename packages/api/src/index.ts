export { appRouter, createCaller, type AppRouter, type RouterInputs, type RouterOutputs } from "./root";
export { createContext, type Context, type Session } from "./context";
export { canOpen, sections, sectionsByRole, type Section } from "./access";
export { authenticate, type AuthenticatedUser, type SignInAttempt, type SignInResult } from "./auth/authenticate";
export { hashPassword, verifyPassword } from "./auth/password";
export { summaryDays } from "./actions/dashboard";
export type { Money } from "./actions/wire";
