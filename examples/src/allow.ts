import { allow } from "./agents/allow";
import { runExample } from "./run";

await runExample(allow);
