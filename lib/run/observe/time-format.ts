/** How run output writes times: UTC to the second, and elapsed times as an operator reads them. */

/** The last second formatted: every line a run prints is stamped, and most lines share their second with the one before. */
let lastSecond = NaN;
let lastStamp = "";

/** `2026-11-30T12:40:01Z`: the prefix of every line a run prints. */
export function utcSeconds(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastStamp = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
    lastSecond = second;
  }
  return lastStamp;
}

/** `45s`, `2m30s`, `1h05m`: an elapsed time, to the second (below an hour) or the minute. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
