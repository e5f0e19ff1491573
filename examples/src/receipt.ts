import { receipt } from "./agents/receipt";
import { runExample } from "./run";

await runExample(receipt);
