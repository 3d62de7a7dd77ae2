// Display formatting that tests can pin down (the clock is passed in).

/** "in 59 minutes", "in 2 hours", "1 minute ago"… */
export function relativeTime(target: Date, now: Date): string {
  const seconds = Math.round((target.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const [value, unit] =
    abs < 60 ? [abs, "second"] : abs < 3600 ? [Math.round(abs / 60), "minute"] : abs < 86400 ? [Math.round(abs / 3600), "hour"] : [Math.round(abs / 86400), "day"];
  const amount = `${value} ${unit}${value === 1 ? "" : "s"}`;
  return seconds >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** The session expiry line on the home screen. */
export function expiryText(expiresAt: string, now: Date): string {
  const target = new Date(expiresAt);
  if (Number.isNaN(target.getTime())) return "unknown";
  const time = target.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  return target.getTime() > now.getTime()
    ? `${time} (${relativeTime(target, now)})`
    : `expired ${relativeTime(target, now)}; refreshed on next use`;
}

/** The letter in the avatar: the first letter of the e-mail or username. */
export function initial(who: { email: string | null; username: string }): string {
  const source = who.email ?? who.username;
  return (source.trim().charAt(0) || "?").toUpperCase();
}
