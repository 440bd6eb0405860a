import { z } from "zod";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";
import { log } from "@/lib/log";
import { currentUser, requestPath } from "./current-user";
import { blockedAt, SETUP_REQUIRED_MESSAGE } from "./policy-gate";
import { hasFreshStepUp, teamChangeRefusal } from "./step-up";
import type { SessionUser } from "./sessions";

/** What every server action returns, for `useActionState`. */
export type ActionState<T = undefined> = {
  ok?: boolean;
  error?: string;
  fieldErrors?: Record<string, string[] | undefined>;
  /** The submitted values (never passwords), to refill the form after an error. */
  values?: Record<string, string>;
  data?: T;
  /** The change needs a fresh second factor first (lib/auth/step-up.ts). */
  stepUp?: boolean;
  /** The change needs a second factor on the person's own account first (team-wide changes). */
  setUpFactor?: boolean;
};

type Handler<S extends z.ZodType, T> = (input: z.infer<S>, formData: FormData) => Promise<ActionState<T>>;

function formValues(formData: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of formData) {
    if (typeof value === "string" && !/password|code|token/i.test(key)) values[key] = value;
  }
  return values;
}

/**
 * The form as a plain object for zod. A name sent more than once (a group of checkboxes)
 * arrives as an array; a schema that wants one string then answers with a field message,
 * where `Object.fromEntries` would silently keep the last value.
 */
function formInput(formData: FormData): Record<string, FormDataEntryValue | FormDataEntryValue[]> {
  const input: Record<string, FormDataEntryValue | FormDataEntryValue[]> = {};
  for (const key of new Set(formData.keys())) {
    const all = formData.getAll(key);
    input[key] = all.length === 1 ? all[0]! : all;
  }
  return input;
}

export const DATABASE_UNAVAILABLE_MESSAGE = "Tessera could not reach its database just now. Try again in a few seconds.";

/**
 * Parses the form with `schema`; bad input returns field messages and never reaches `handler`.
 * A database outage is an answer on the form, like any refusal, not a crashed page; other
 * errors (and Next's redirects) go on to Next.
 */
export function validatedAction<S extends z.ZodType, T = undefined>(schema: S, handler: Handler<S, T>) {
  return async (_prev: ActionState<T>, formData: FormData): Promise<ActionState<T>> => {
    const parsed = schema.safeParse(formInput(formData));
    if (!parsed.success) {
      return { fieldErrors: z.flattenError(parsed.error).fieldErrors as ActionState["fieldErrors"], values: formValues(formData) };
    }
    let result: ActionState<T>;
    try {
      result = await handler(parsed.data, formData);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      log.warn("action.database_unavailable", {}, error);
      return { error: DATABASE_UNAVAILABLE_MESSAGE, values: formValues(formData) };
    }
    return result.ok ? result : { ...result, values: formValues(formData) };
  };
}

/**
 * As `validatedAction`, and refuses without a live session, or while a team's 2FA
 * requirement blocks the user (except on the pages that set up a factor).
 */
export function validatedActionWithUser<S extends z.ZodType, T = undefined>(
  schema: S,
  handler: (input: z.infer<S>, user: SessionUser, formData: FormData) => Promise<ActionState<T>>,
) {
  return validatedAction<S, T>(schema, async (input, formData) => {
    const user = await currentUser();
    if (!user) return { error: "Your session has ended. Sign in again." };
    if (await blockedAt(user.id, await requestPath())) return { error: SETUP_REQUIRED_MESSAGE };
    return handler(input, user, formData);
  });
}

export const STEP_UP_MESSAGE = "For your security, confirm it's you with your second factor first.";

/** As `validatedActionWithUser`, and refuses unless a second factor was re-entered in the last 10 minutes. */
export function validatedActionWithStepUp<S extends z.ZodType, T = undefined>(
  schema: S,
  handler: (input: z.infer<S>, user: SessionUser, formData: FormData) => Promise<ActionState<T>>,
) {
  return validatedActionWithUser<S, T>(schema, async (input, user, formData) => {
    if (!(await hasFreshStepUp(user.id, user.sessionId))) return { error: STEP_UP_MESSAGE, stepUp: true };
    return handler(input, user, formData);
  });
}

export const OWN_FACTOR_MESSAGE = "Changes to a team need two-factor authentication on your own account. Set it up in Security settings, then come back.";

/**
 * Why this user may not make a team-wide change now, as an action's answer; null when they
 * may. For actions where only some inputs are team-wide (an invitation as admin or owner).
 */
export async function teamStepUpAnswer(user: SessionUser): Promise<ActionState<never> | null> {
  const refusal = await teamChangeRefusal(user.id, user.sessionId);
  if (refusal === "no_factor") return { error: OWN_FACTOR_MESSAGE, setUpFactor: true };
  if (refusal === "stale") return { error: STEP_UP_MESSAGE, stepUp: true };
  return null;
}

/**
 * As `validatedActionWithUser`, for team-wide changes: refuses unless the user has a second
 * factor of their own and re-entered it within the last 10 minutes (lib/auth/step-up.ts).
 */
export function validatedTeamActionWithStepUp<S extends z.ZodType, T = undefined>(
  schema: S,
  handler: (input: z.infer<S>, user: SessionUser, formData: FormData) => Promise<ActionState<T>>,
) {
  return validatedActionWithUser<S, T>(schema, async (input, user, formData) => (await teamStepUpAnswer(user)) ?? handler(input, user, formData));
}
