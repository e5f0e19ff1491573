import { deny } from "./agents/deny";
import { runExample } from "./run";

await runExample(deny);
