import type { RequestMeta } from "@/lib/audit";
import type { FactorKind } from "@/lib/db/schema";
import { notifyUser } from "@/lib/notifications";
import type { AddedFactor } from ".";
import { FACTORS } from "./registry";

/** What finishing any kind's enrollment answers. */
export type EnrollResult = ({ ok: true } & AddedFactor) | { ok: false; message: string; field?: string };
export type EnrollingUser = { id: string; email: string };

/** Emails the owner about a new factor, after it committed. */
export async function announceFactor(userId: string, kind: FactorKind, meta: RequestMeta) {
  await notifyUser(userId, "A second factor was added to your account", [`${FACTORS[kind].articleName} was added to your Tessera account.`], meta);
}
