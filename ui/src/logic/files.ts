// The files view's state and formatting, pure so tests pin them down: sizes, rates, time left,
// the uploads queue (one entry per upload id, replaced by each event), and breadcrumbs.
import type { GuestAdoptionView, UploadEvent, UploadState } from "../ipc/bindings";
import type { Notice } from "./machine";

const UNITS = ["B", "KB", "MB", "GB", "TB"];

/** "0 B", "999 B", "1.5 KB", "12 MB", "1.2 GB" (decimal units, as file managers show). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) return `${value} B`;
  const shown = value < 10 ? value.toFixed(1) : Math.round(value).toString();
  return `${shown.replace(/\.0$/, "")} ${UNITS[unit]}`;
}

/** "2.4 MB/s"; empty until a rate is known. */
export function formatRate(bytesPerSecond: number): string {
  return bytesPerSecond > 0 ? `${formatBytes(bytesPerSecond)}/s` : "";
}

/** "5 s left", "3 min left", "1 h 20 min left"; empty when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return "";
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s left`;
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return `${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min left` : `${hours} h left`;
}

/** Whole percent done, 0–100 (an empty file is 100 % once stored). */
export function percentDone(upload: Pick<UploadEvent, "bytesDone" | "bytesTotal" | "state">): number {
  if (upload.bytesTotal <= 0) return upload.state === "completed" ? 100 : 0;
  return Math.min(100, Math.floor((upload.bytesDone / upload.bytesTotal) * 100));
}

const STATE_LABELS: Record<UploadState, string> = {
  running: "Uploading",
  paused: "Paused",
  completed: "Uploaded",
  cancelled: "Cancelled",
  failed: "Failed",
  interrupted: "Not finished last time",
};

/** The status line of one upload: "Uploading · 1.2 MB of 5 MB · 2 MB/s · 3 s left". */
export function uploadStatus(upload: UploadEvent): string {
  const parts = [STATE_LABELS[upload.state]];
  if (upload.state === "completed") parts.push(formatBytes(upload.bytesTotal));
  else if (upload.state !== "cancelled") parts.push(`${formatBytes(upload.bytesDone)} of ${formatBytes(upload.bytesTotal)}`);
  if (upload.state === "running") {
    const rate = formatRate(upload.rate);
    const eta = formatEta(upload.etaSeconds);
    if (rate) parts.push(rate);
    if (eta) parts.push(eta);
  }
  return parts.join(" · ");
}

/**
 * Whether a failed upload offers "Replace": it was refused because a file of that name is
 * stored (`already_exists`), and running it again would only be refused again; "Replace"
 * runs it with overwrite (`replace_upload`).
 */
export function offersReplace(upload: Pick<UploadEvent, "state" | "error">): boolean {
  return upload.state === "failed" && upload.error?.code === "already_exists";
}

/** Which buttons an upload offers. */
export function uploadActions(state: UploadState): { pause: boolean; resume: boolean; cancel: boolean } {
  switch (state) {
    case "running":
      return { pause: true, resume: false, cancel: true };
    case "paused":
    case "failed":
    case "interrupted":
      return { pause: false, resume: true, cancel: true };
    case "completed":
    case "cancelled":
      return { pause: false, resume: false, cancel: false };
  }
}

/** The queue after an event: the upload's entry replaced (or added at the end). */
export function applyUploadEvent(queue: readonly UploadEvent[], event: UploadEvent): UploadEvent[] {
  const index = queue.findIndex((upload) => upload.id === event.id);
  if (index === -1) return [...queue, event];
  const next = queue.slice();
  next[index] = event;
  return next;
}

/** True when an event means the listing changed (an upload was stored). */
export function changesListing(before: UploadEvent | undefined, after: UploadEvent): boolean {
  return after.state === "completed" && before?.state !== "completed";
}

/** The queue without finished entries (completed or cancelled), for "Clear finished". */
export function withoutFinished(queue: readonly UploadEvent[]): UploadEvent[] {
  return queue.filter((upload) => upload.state !== "completed" && upload.state !== "cancelled");
}

/** Breadcrumbs of a directory: `a/b` → [{label: "a", dir: "a"}, {label: "b", dir: "a/b"}]. */
export function breadcrumbs(dir: string): { label: string; dir: string }[] {
  const segments = dir.split("/").filter(Boolean);
  return segments.map((label, index) => ({ label, dir: segments.slice(0, index + 1).join("/") }));
}

/** A subdirectory's name from its prefix-relative path (`docs/old/` → `old`). */
export function directoryName(relative: string): string {
  const segments = relative.split("/").filter(Boolean);
  return segments[segments.length - 1] ?? relative;
}

/** The relative path of a subdirectory without its trailing slash (`docs/old/` → `docs/old`). */
export function directoryPath(relative: string): string {
  return relative.replace(/\/+$/, "");
}

/** Why a guest file stayed in the guest folder, by the app's reason code. */
function leftReason(code: string): string {
  switch (code) {
    case "already_exists":
      return "a different file of that name is already in your files";
    case "file_too_large":
      return "it is larger than the 5 GiB one copy may move";
    default:
      return "its name is not one Coffer writes";
  }
}

/**
 * The notice after a sign-in moved this device's guest files into the user's own files
 * ("Moved 2 files from your guest folder."), naming any left behind; none when nothing was
 * found.
 */
export function guestAdoptionNotice(adoption: GuestAdoptionView | null): Notice | undefined {
  if (!adoption || (adoption.moved.length === 0 && adoption.left.length === 0)) return undefined;
  const parts: string[] = [];
  const moved = adoption.moved.length;
  if (moved > 0) parts.push(`Moved ${moved} ${moved === 1 ? "file" : "files"} from your guest folder.`);
  for (const renamed of adoption.renamed) {
    parts.push(`${renamed.from} is now ${renamed.to} (a different file of that name was already in your files).`);
  }
  for (const left of adoption.left) {
    parts.push(
      adoption.guestIdentityMerged
        ? `Not moved: ${left.key} (${leftReason(left.reason)}); it stays with your old guest identity, which signing in closed.`
        : `Kept in your guest folder: ${left.key} (${leftReason(left.reason)}); the next sign-in tries again.`,
    );
  }
  return { kind: adoption.left.length > 0 ? "info" : "success", text: parts.join(" ") };
}
