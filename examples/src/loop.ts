import { loop } from "./agents/loop";
import { runExample } from "./run";

await runExample(loop);
