"use server";

import { z } from "zod";
import { formAction, refusalState, type ActionState } from "@/lib/auth/action";
import { requestMeta } from "@/lib/auth/request-meta";
import { keepTwoFactor } from "@/lib/teams/keep-two-factor";

/** The confirm button of "keep my 2FA": a POST, so a mail scanner fetching the link cancels nothing. */
export const keepTwoFactorAction = formAction(
  // lib/teams/keep-two-factor.ts answers every malformed token with its one message.
  { schema: z.object({ token: z.string().max(1000).default("") }) },
  async ({ token }): Promise<ActionState<{ canceled: number }>> => {
    const result = await keepTwoFactor(token, await requestMeta());
    return result.ok ? { ok: true, data: { canceled: result.canceled } } : refusalState(result);
  },
);
