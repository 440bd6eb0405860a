"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { validatedActionWithUser, type ActionState } from "@/lib/auth/action";
import { requestMeta } from "@/lib/auth/request-meta";
import { revokeOtherSessions } from "@/lib/auth/sessions";

export const signOutOtherSessionsAction = validatedActionWithUser(z.object({}), async (_input, user): Promise<ActionState<{ count: number }>> => {
  const count = await revokeOtherSessions(user.id, user.sessionId, await requestMeta());
  revalidatePath("/settings/security");
  return { ok: true, data: { count } };
});
