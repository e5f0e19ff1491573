export { seedDemo, type SeedResult } from "./seed";
export { demoOrganization, demoPassword, demoUsers } from "./cast";
export { simulateDemoTraffic, DEMO_SESSIONS } from "./traffic";
