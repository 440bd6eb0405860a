/** "30 seconds", "a minute", "15 minutes": how long someone must wait, for messages. */
export function waitPhrase(seconds?: number): string {
  if (!seconds) return "a few minutes";
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "a minute" : `${minutes} minutes`;
}
