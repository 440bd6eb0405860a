/**
 * Why the domain said no, in one shape everywhere: a `code` the caller branches on, the
 * `message` a person (or a developer) reads, and where it applies the form `field` it is
 * about and the seconds to wait. Modules that know more (the attempts left on a code) add it
 * beside these, never instead of them.
 */
export type Refusal<C extends string = string> = {
  ok: false;
  code: C;
  message: string;
  field?: string;
  retryAfterSeconds?: number;
};

/** The detail a refusal carries on itself; a message may read more (a team's name, a limit). */
export type RefusalDetail = { field?: string; retryAfterSeconds?: number };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry names its own detail type
type MessageTable = Record<string, string | ((detail: any) => string)>;

type DetailOf<M> = M extends (detail: infer D) => string ? NonNullable<D> : RefusalDetail;

/**
 * One module's codes and their messages, defined once. `refuse(code, detail)` builds the
 * Refusal; `message(code, detail)` is the sentence alone, for a caller that only shows it.
 * A message may be a function of the detail (a wait, a team's name); `field` and
 * `retryAfterSeconds` from the detail are kept on the refusal, the rest only shapes the words.
 */
export function defineErrorCodes<const T extends MessageTable>(messages: T) {
  type Code = keyof T & string;
  function message<C extends Code>(code: C, detail?: DetailOf<T[C]>): string {
    const entry = messages[code]!;
    return typeof entry === "function" ? entry(detail ?? {}) : entry;
  }
  function refuse<C extends Code>(code: C, detail?: DetailOf<T[C]> & RefusalDetail): Refusal<C> {
    const refusal: Refusal<C> = { ok: false, code, message: message(code, detail) };
    if (detail?.field !== undefined) refusal.field = detail.field;
    if (detail?.retryAfterSeconds !== undefined) refusal.retryAfterSeconds = detail.retryAfterSeconds;
    return refusal;
  }
  return { messages, codes: Object.keys(messages) as Code[], message, refuse };
}

/** The codes of a table made by defineErrorCodes, as a type. */
export type CodeOf<E extends { codes: readonly string[] }> = E["codes"][number];
