"use client";

/** "Remember this device for 1 week"; nothing when `days` is unset (step-up) or 0 (the team asks at every sign-in). */
export function RememberDevice({ days, checked, onChange }: { days?: number; checked: boolean; onChange: (checked: boolean) => void }) {
  if (days === undefined || days <= 0) return false;
  return (
    <label className="flex items-center gap-2 text-sm text-slate-700">
      <input type="checkbox" className="size-4 rounded border-slate-300" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      Remember this device for {days === 1 ? "1 day" : days === 7 ? "1 week" : `${days} days`}
    </label>
  );
}
