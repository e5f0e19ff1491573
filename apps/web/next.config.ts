import type { NextConfig } from "next";

const config: NextConfig = {
  // The workspace packages ship TypeScript source; Next.js compiles them with the app.
  transpilePackages: ["@tollgate/api", "@tollgate/db", "@tollgate/policy", "@tollgate/trust"],
  // `forbidden()` renders app/forbidden.tsx with a real 403 for pages a role may not open.
  experimental: { authInterrupts: true },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
