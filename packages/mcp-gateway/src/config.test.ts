import { describe, expect, it } from "vitest";
import { parseGatewayConfig } from "./config";

describe("the gateway config", () => {
  it("reads YAML with fixed and argument-sourced values, denying unmapped tools by default", () => {
    const config = parseGatewayConfig(`
upstream: { command: node, args: [server.js] }
tools:
  charge:
    action: stripe.charges.create
    amount: { argument: order.cents, currency: USD }
    merchant: stripe
  weather: passthrough
`);
    expect(config).toMatchObject({ unmapped: "deny", upstream: { command: "node", args: ["server.js"] }, tools: { weather: "passthrough" } });
  });

  it.each([
    [{ tools: {} }, "upstream: is required"],
    [{ upstream: { url: "nope" } }, "upstream.url: must be the upstream server's MCP endpoint URL"],
    [{ upstream: { command: "node" }, tools: { charge: { action: "" } } }, "tools.charge.action: must not be empty"],
    [{ upstream: { command: "node" }, tools: { charge: { action: "a", amount: { amount: 5, currency: "usd" } } } }, "tools.charge.amount.currency: must be an ISO 4217 code such as USD"],
    [{ upstream: { command: "node" }, unmapped: "allow" }, "unmapped: "],
    [{ upstream: { command: "node" }, tools: { charge: { action: "a", merchant: 5 } } }, 'tools.charge.merchant: must be a string or { argument: "<path>" }'],
    [{ upstream: { command: "node" }, extra: 1 }, "config: "],
  ])("names the field of a bad config %#", (config, message) => {
    expect(() => parseGatewayConfig(config)).toThrow(message);
  });
});
