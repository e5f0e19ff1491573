import { and, eq } from "drizzle-orm";
import { organizations, userRole, users } from "@tollgate/db";
import { z } from "zod";
import type { Action } from "../context";
import { NotFound } from "../errors";

export const me = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  role: z.enum(userRole.enumValues),
  organization: z.object({ id: z.uuid(), slug: z.string(), name: z.string(), timeZone: z.string() }),
});
export type Me = z.infer<typeof me>;

/** The signed-in user and their organization, as the console's header shows them. */
export async function getMe({ ctx }: Action): Promise<Me> {
  const [row] = await ctx.db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      organization: { id: organizations.id, slug: organizations.slug, name: organizations.name, timeZone: organizations.timeZone },
    })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(and(eq(users.id, ctx.session.userId), eq(users.organizationId, ctx.session.organizationId)));
  if (!row) throw new NotFound("user", ctx.session.userId);
  return row;
}
