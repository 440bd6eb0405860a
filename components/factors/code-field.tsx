import { Field } from "@/components/ui/field";

/** The one-time-code input: numeric keyboard on phones, autofill from SMS, no spellcheck. */
type Props = { label?: string; name?: string; error?: string; recovery?: boolean; autoFocus?: boolean };

export function CodeField({ label = "6-digit code", name = "code", error, recovery = false, autoFocus = true }: Props) {
  return (
    <Field
      label={label}
      name={name}
      autoComplete={recovery ? "off" : "one-time-code"}
      inputMode={recovery ? "text" : "numeric"}
      pattern={recovery ? undefined : "[0-9 ]*"}
      spellCheck={false}
      autoCapitalize="off"
      required
      autoFocus={autoFocus}
      maxLength={recovery ? 20 : 10}
      placeholder={recovery ? "xxxx-xxxx-xxxx" : "123456"}
      className="[&_input]:font-mono [&_input]:tracking-widest"
      errors={error ? [error] : undefined}
    />
  );
}
