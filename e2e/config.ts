/** Where the end-to-end tests run the console, and against which database. */
export const e2e = {
  port: Number(process.env.E2E_PORT ?? 3100),
  databaseUrl: process.env.E2E_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/tollgate_e2e",
  chromium: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
};

export const baseURL = `http://127.0.0.1:${e2e.port}`;
