import { approval } from "./agents/approval";
import { runExample } from "./run";

await runExample(approval);
