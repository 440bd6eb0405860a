/**
 * The form of a destination that rate limits count by. Providers route `anna+1@gmail.com`,
 * `a.nna@gmail.com` and `Anna@gmail.com` to one inbox, so a limit keyed by the address as
 * typed could be walked around with aliases; messages still go to the address as given.
 * Phone numbers arrive in E.164 already (one form per number).
 */
export function destinationKey(to: string): string {
  const at = to.lastIndexOf("@");
  if (at < 0) return to;
  let local = to.slice(0, at).toLowerCase();
  let domain = to.slice(at + 1).toLowerCase();
  // Sub-addressing: everything after the first "+" reaches the same mailbox at most providers.
  const plus = local.indexOf("+");
  if (plus > 0) local = local.slice(0, plus);
  // Gmail ignores dots in the local part, and googlemail.com is the same service.
  if (domain === "googlemail.com") domain = "gmail.com";
  if (domain === "gmail.com") local = local.replaceAll(".", "");
  return `${local}@${domain}`;
}
