import { defineConfig } from "drizzle-kit";

// Migrations are generated from the schema into the repo's top-level drizzle/ folder and
// applied by `migrate()` for both drivers, so PGlite and PostgreSQL run the same SQL.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema/index.ts",
  out: "../../drizzle",
  casing: "snake_case",
});
