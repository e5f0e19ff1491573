import { delegation } from "./agents/delegation";
import { runExample } from "./run";

await runExample(delegation);
