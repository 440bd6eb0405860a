import { asc, eq } from "drizzle-orm";
import { db } from "@/lib/db";
import { memberships, teams, type Role } from "@/lib/db/schema";

export type UserTeam = { id: string; name: string; role: Role };

/** The teams a user belongs to, oldest membership first (the personal team leads). */
export async function listUserTeams(userId: string): Promise<UserTeam[]> {
  return db()
    .select({ id: teams.id, name: teams.name, role: memberships.role })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt));
}
