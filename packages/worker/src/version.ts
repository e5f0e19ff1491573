/** Reported on /healthz and the workers page, so a mixed fleet is visible. */
export const WORKER_VERSION = "0.1.0";
