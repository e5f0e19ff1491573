export { seedDemo, type SeedResult } from "./seed";
export { demoOrganization, demoPassword, demoUsers } from "./cast";
