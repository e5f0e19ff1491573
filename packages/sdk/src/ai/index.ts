/** Vercel AI SDK integration: guard every tool execution. */
export { guardTools, type SharedGuardOptions, type ToolGate, type ToolMapping } from "./guard-tools";
