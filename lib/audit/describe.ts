import { FACTOR_NAMES } from "@/lib/factors/registry";
import { countryName } from "@/lib/fraud/countries";
import { formatTime } from "@/lib/format/time";

/** How a sign-in or step-up was (or was not) passed, as the log names it. */
export const METHOD_NAMES: Record<string, string> = {
  password: "Password",
  trusted_device: "Remembered device",
  totp: FACTOR_NAMES.totp,
  email: FACTOR_NAMES.email,
  sms: FACTOR_NAMES.sms,
  webauthn: FACTOR_NAMES.webauthn,
  recovery_code: "Recovery code",
  admin_reset: "Emailed code after an admin reset",
};

const POLICY_FIELDS: Record<string, string> = {
  requireTwoFactor: "Require 2FA",
  graceDays: "Grace period",
  allowedMethods: "Allowed methods",
  smsBackupOnly: "SMS as backup only",
  defaultMethod: "Default method",
  rememberDeviceDays: "Remember devices",
};

const ROLE_NAMES: Record<string, string> = { owner: "Owner", admin: "Admin", member: "Member" };

/** The name for `key` in `names`, or the key itself; own keys only ("constructor" is no name). */
const nameIn = (names: Record<string, string>, key: unknown) => (typeof key === "string" && Object.hasOwn(names, key) ? names[key]! : String(key));
const kindName = (kind: unknown) => nameIn(FACTOR_NAMES, kind);
const roleName = (role: unknown) => nameIn(ROLE_NAMES, role);

function policyValue(field: string, value: unknown): string {
  if (typeof value === "boolean") return value ? "on" : "off";
  if (Array.isArray(value)) return value.length > 0 ? value.map(kindName).join(", ") : "none";
  if (field === "defaultMethod") return kindName(value);
  if (field === "graceDays" || field === "rememberDeviceDays") return value === 0 ? (field === "graceDays" ? "none" : "never") : `${value} days`;
  return String(value);
}

function policyChanges(changed: unknown): string | null {
  if (!changed || typeof changed !== "object") return null;
  const parts = Object.entries(changed as Record<string, { from?: unknown; to?: unknown }>).map(
    ([field, change]) => `${nameIn(POLICY_FIELDS, field)}: ${policyValue(field, change?.from)} → ${policyValue(field, change?.to)}`,
  );
  return parts.length > 0 ? parts.join("; ") : "No changes";
}

/** "remainingCodes" → "Remaining codes". */
const words = (key: string) => key.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase()).replace(/ ([A-Z])/g, (c) => c.toLowerCase());

/**
 * An event's data in words for the log ("Method: Authenticator app", "Role: Member → Admin").
 * Record ids (factor, device, invitation…) stay out: they mean nothing to a reader and are
 * in the CSV export's raw data.
 */
export function summarizeEventData(data: Record<string, unknown> | null | undefined): string {
  if (!data) return "";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (value === null || value === undefined || /Id$|^replaced$|^invitedBy$/.test(key)) continue;
    switch (key) {
      case "method":
        parts.push(`Method: ${nameIn(METHOD_NAMES, value)}`);
        break;
      case "kind":
        parts.push(`Method: ${kindName(value)}`);
        break;
      case "kinds":
        parts.push(`Methods: ${Array.isArray(value) ? value.map(kindName).join(", ") : String(value)}`);
        break;
      case "from":
        parts.push(`Role: ${roleName(value)} → ${roleName(data.to)}`);
        break;
      case "to":
        if (!("from" in data)) parts.push(`Role: ${roleName(value)}`);
        break;
      case "role":
        parts.push(`Role: ${roleName(value)}`);
        break;
      case "changed":
        parts.push(policyChanges(value) ?? "");
        break;
      case "label":
      case "name":
        parts.push(`Name: “${String(value)}”`);
        break;
      case "prefix":
        // An API key's shown start; the key itself is never recorded.
        parts.push(`Key: ${String(value)}…`);
        break;
      case "amount":
        parts.push(`Amount: ${typeof value === "number" ? `${value > 0 ? "+" : ""}${value.toLocaleString("en-US")}` : String(value)}`);
        break;
      case "remaining":
        parts.push(`Codes left: ${String(value)}`);
        break;
      case "factors":
        parts.push(`Factors removed: ${String(value)}`);
        break;
      case "countriesAdded":
      case "countriesRemoved":
        if (Array.isArray(value) && value.length > 0) parts.push(`${key === "countriesAdded" ? "Countries added" : "Countries removed"}: ${value.map((code) => countryName(String(code))).join(", ")}`);
        break;
      case "countryCount":
        parts.push(value === 0 ? "No country on the list: SMS and voice refused" : `Countries on the list: ${String(value)}`);
        break;
      case "voipMembers":
      case "voipApi": {
        const change = value as { from?: unknown; to?: unknown };
        const label = key === "voipMembers" ? "Members' codes to VoIP numbers" : "Verify API codes to VoIP numbers";
        parts.push(`${label}: ${change.from ? "allowed" : "refused"} → ${change.to ? "allowed" : "refused"}`);
        break;
      }
      case "pausedAt": {
        const at = new Date(String(value));
        parts.push(`Paused since ${Number.isNaN(at.getTime()) ? String(value) : formatTime(at)}`);
        break;
      }
      case "trustedDevicesShortened":
        parts.push(`Remembered devices shortened: ${String(value)}`);
        break;
      default:
        if (value === true) parts.push(words(key));
        else if (typeof value === "number") parts.push(`${words(key)}: ${value.toLocaleString("en-US")}`);
        else if (value !== false && typeof value !== "object") parts.push(`${words(key)}: ${String(value)}`);
    }
  }
  return parts.filter(Boolean).join(" · ");
}
