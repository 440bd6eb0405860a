import { redirect } from "next/navigation";
import { z } from "zod";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";
import { log } from "@/lib/log";
import type { Refusal } from "@/lib/refusal";
import { readChallengeCookie } from "./cookies";
import { currentUser, requestPath } from "./current-user";
import { blockedAt, SETUP_REQUIRED_MESSAGE } from "./policy-gate";
import { hasFreshStepUp, teamChangeRefusal } from "./step-up";
import type { SessionUser } from "./sessions";

/*
 * One way to write a server action: `formAction` (a form read with useActionState),
 * `plainFormAction` (a plain `<form action>`, no answer to show) and `typedAction` (called from
 * code with typed arguments) are three doors to one core, `authorize`: the same auth levels, the
 * same database-outage answer. Three names and not one overloaded call because the three are
 * called differently (`(prev, formData)`, `(formData)`, `(...args)`) and answer differently (an
 * ActionState, a redirect, `{ ok: false, error }`); the auth level is a value, not a name, so a
 * new level is one line in `authorize` instead of a fourth and fifth helper per door.
 */

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

/**
 * Who may call the action:
 * - `none`: anyone;
 * - `challenge`: someone between password and second factor; the handler gets the challenge
 *   cookie's token, which lib/auth/second-factor.ts checks (there is no session yet);
 * - `session`: a live session, whatever the team's 2FA requirement says (proving or choosing a
 *   factor is how a blocked user gets out; the team switcher changes nothing the gate guards);
 * - `user`: a live session that a team's 2FA requirement does not block here;
 * - `stepUp`: as `user`, with a second factor re-entered in the last 10 minutes;
 * - `teamStepUp`: as `stepUp`, for team-wide changes: also a second factor of the user's own.
 */
export type Auth = "none" | "challenge" | "session" | "user" | "stepUp" | "teamStepUp";
type Actor<A extends Auth> = A extends "none" ? undefined : A extends "challenge" ? string | undefined : SessionUser;

export const SIGNED_OUT_MESSAGE = "Your session has ended. Sign in again.";
export const DATABASE_UNAVAILABLE_MESSAGE = "Tessera could not reach its database just now. Try again in a few seconds.";
export const STEP_UP_MESSAGE = "For your security, confirm it's you with your second factor first.";
export const OWN_FACTOR_MESSAGE = "Changes to a team need two-factor authentication on your own account. Set it up in Security settings, then come back.";

/** Why the helper answers without running the handler. */
type Refused = { error: string; signedOut?: true; stepUp?: true; setUpFactor?: true };

/** A refusal as the answer carries it: the message and the flags the page acts on. */
function answerOf({ error, stepUp, setUpFactor }: Refused) {
  return { error, ...(stepUp && { stepUp }), ...(setUpFactor && { setUpFactor }) };
}

async function authorize<A extends Auth>(auth: A): Promise<{ actor: Actor<A> } | { refused: Refused }> {
  if (auth === "none") return { actor: undefined as Actor<A> };
  if (auth === "challenge") return { actor: (await readChallengeCookie()) as Actor<A> };
  const user = await currentUser();
  if (!user) return { refused: { error: SIGNED_OUT_MESSAGE, signedOut: true } };
  if (auth !== "session" && (await blockedAt(user.id, await requestPath()))) return { refused: { error: SETUP_REQUIRED_MESSAGE } };
  if (auth === "stepUp" && !(await hasFreshStepUp(user.id, user.sessionId))) return { refused: { error: STEP_UP_MESSAGE, stepUp: true } };
  if (auth === "teamStepUp") {
    const refused = await teamStepUpRefusal(user);
    if (refused) return { refused };
  }
  return { actor: user as Actor<A> };
}

async function teamStepUpRefusal(user: SessionUser): Promise<Refused | null> {
  const refusal = await teamChangeRefusal(user.id, user.sessionId);
  if (refusal === "no_factor") return { error: OWN_FACTOR_MESSAGE, setUpFactor: true };
  if (refusal === "stale") return { error: STEP_UP_MESSAGE, stepUp: true };
  return null;
}

/**
 * Why this user may not make a team-wide change now, as an action's answer; null when they
 * may. For actions where only some inputs are team-wide (an invitation as admin or owner).
 */
export async function teamStepUpAnswer(user: SessionUser): Promise<ActionState<never> | null> {
  const refused = await teamStepUpRefusal(user);
  return refused && answerOf(refused);
}

/** A database outage is an answer, like any refusal, not a crashed page; other errors (and Next's redirects) go on to Next. */
async function answeringOutage<R>(run: () => Promise<R>, outage: () => R): Promise<R> {
  try {
    return await run();
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    log.warn("action.database_unavailable", {}, error);
    return outage();
  }
}

/** Every function the helper returns; tests/server-actions.test.ts fails on an export of a "use server" module that is not one. */
export const madeByActionHelper = new WeakSet<object>();
function made<F extends object>(fn: F): F {
  madeByActionHelper.add(fn);
  return fn;
}

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

type FormSpec<A extends Auth, S extends z.ZodType> = { auth?: A; schema: S };

/**
 * A form read with `useActionState`. The form is parsed first: bad input returns field
 * messages and never reaches the auth check or `handler`; any answer that is not ok carries
 * the submitted values back.
 */
export function formAction<S extends z.ZodType, T = undefined, A extends Auth = "none">(
  spec: FormSpec<A, S>,
  handler: (input: z.infer<S>, actor: Actor<A>) => Promise<ActionState<T>>,
) {
  const auth = (spec.auth ?? "none") as A;
  return made(async (_prev: ActionState<T>, formData: FormData): Promise<ActionState<T>> => {
    const parsed = spec.schema.safeParse(formInput(formData));
    if (!parsed.success) {
      return { fieldErrors: z.flattenError(parsed.error).fieldErrors as ActionState["fieldErrors"], values: formValues(formData) };
    }
    const result = await answeringOutage<ActionState<T>>(
      async () => {
        const who = await authorize(auth);
        if ("refused" in who) return answerOf(who.refused);
        return handler(parsed.data, who.actor);
      },
      () => ({ error: DATABASE_UNAVAILABLE_MESSAGE }),
    );
    return result.ok ? result : { ...result, values: formValues(formData) };
  });
}

/**
 * A plain `<form action>`: nothing shows an answer, so every way out is a navigation. Signed
 * out goes to sign-in; input the schema refuses goes to the dashboard; a database outage is
 * Next's error page. Only `none` and `session`: a refusal that asks for a factor has no page to
 * be shown on.
 */
export function plainFormAction<S extends z.ZodType, A extends "none" | "session">(
  spec: FormSpec<A, S>,
  handler: (input: z.infer<S>, actor: Actor<A>) => Promise<never>,
) {
  const auth = (spec.auth ?? "none") as A;
  return made(async (formData: FormData): Promise<void> => {
    const who = await authorize(auth);
    if ("refused" in who) redirect("/sign-in");
    const parsed = spec.schema.safeParse(formInput(formData));
    if (!parsed.success) redirect("/dashboard");
    return handler(parsed.data, who.actor);
  });
}

/** How a typed action refuses on its own: the `ok: false` branch every typed answer has. */
export type TypedRefusal = { ok: false; error: string; restart?: true; stepUp?: true; setUpFactor?: true };


/**
 * An action called from code with typed arguments (`args`: a `z.tuple` of them). Who calls is
 * checked first, then the arguments; a refused argument answers with its first message (there
 * is no form to put field messages on). Signed out answers `restart`: the sign-in must start
 * over. The answer type must have an `{ ok: false, error }` branch for these. Arguments past
 * the tuple's are ignored, as a plain function ignores what it does not declare (the shared
 * prompt passes `remember` to the step-up's actions too).
 */
export function typedAction<S extends z.ZodTuple, R extends { ok?: boolean }, A extends Auth = "none">(
  spec: { auth?: A; args: S } & CarriesRefusals<R>,
  handler: (args: z.output<S>, actor: Actor<A>) => Promise<R>,
) {
  const auth = (spec.auth ?? "none") as A;
  // CarriesRefusals checked that R has room for them.
  const refuse = (refusal: TypedRefusal) => refusal as unknown as R;
  return made(
    async (...args: z.input<S>): Promise<R> =>
      answeringOutage<R>(
        async () => {
          const who = await authorize(auth);
          if ("refused" in who) return refuse({ ok: false, ...answerOf(who.refused), ...(who.refused.signedOut && { restart: true }) });
          const parsed = spec.args.safeParse(spec.args.def.rest ? args : args.slice(0, spec.args.def.items.length));
          if (!parsed.success) return refuse({ ok: false, error: parsed.error.issues[0]!.message });
          return handler(parsed.data, who.actor);
        },
        () => refuse({ ok: false, error: DATABASE_UNAVAILABLE_MESSAGE }),
      ),
  );
}

type CarriesRefusals<R> = [TypedRefusal] extends [R] ? unknown : { "the answer type needs an { ok: false; error: string } branch": never };

/**
 * A domain refusal as a form's answer: on its field when it names one (the field's message
 * alone, as the forms show it: an `error` beside it would say it twice), else the form's
 * error. `field` names the form field when the domain's refusal does not name one itself.
 */
export function refusalState(refusal: Pick<Refusal, "message" | "field">, field = refusal.field): ActionState<never> {
  return field ? { fieldErrors: { [field]: [refusal.message] } } : { error: refusal.message };
}
