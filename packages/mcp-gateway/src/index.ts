export { createGateway, RECEIPT_META_KEY, type GatewayOptions } from "./gateway";
export { gatewayConfigSchema, parseGatewayConfig, GatewayConfigError, type GatewayConfig } from "./config";
export { connectUpstream } from "./upstream";
