import { beforeEach, describe, expect, it } from "vitest";
import { App } from "../src/app";
import type { ArgsOf, Backend, CommandName, ResultOf } from "../src/ipc/backend";
import type { CommandError, FileListingView, FilesMode, UploadEvent, WhoAmIView } from "../src/ipc/bindings";
import { KNOWN_CODES, messageFor } from "../src/logic/errors";
import {
  applyUploadEvent,
  breadcrumbs,
  changesListing,
  directoryName,
  formatBytes,
  formatEta,
  formatRate,
  guestAdoptionNotice,
  percentDone,
  offersReplace,
  uploadActions,
  uploadStatus,
  withoutFinished,
} from "../src/logic/files";
import { transition } from "../src/logic/machine";

const who: WhoAmIView = { username: "0b1c-uuid", sub: "sub-123", email: "ada@example.com", expiresAt: "2030-01-01T01:00:00Z" };

function upload(overrides: Partial<UploadEvent> = {}): UploadEvent {
  return {
    id: 1,
    mode: "signedIn",
    key: "docs/report.pdf",
    name: "report.pdf",
    state: "running",
    bytesDone: 2_500_000,
    bytesTotal: 10_000_000,
    rate: 1_250_000,
    etaSeconds: 6,
    error: null,
    ...overrides,
  };
}

describe("formatting", () => {
  it("shows sizes in decimal units with one decimal below ten", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1000)).toBe("1 KB");
    expect(formatBytes(1500)).toBe("1.5 KB");
    expect(formatBytes(70_000)).toBe("70 KB");
    expect(formatBytes(12_345_678)).toBe("12 MB");
    expect(formatBytes(1_234_567_890)).toBe("1.2 GB");
    expect(formatBytes(-1)).toBe("—");
  });

  it("shows rate and time left only when known", () => {
    expect(formatRate(0)).toBe("");
    expect(formatRate(2_400_000)).toBe("2.4 MB/s");
    expect(formatEta(null)).toBe("");
    expect(formatEta(4.2)).toBe("5 s left");
    expect(formatEta(59)).toBe("59 s left");
    expect(formatEta(61)).toBe("2 min left");
    expect(formatEta(3600)).toBe("1 h left");
    expect(formatEta(4800)).toBe("1 h 20 min left");
  });

  it("sums an upload up in one line, by state", () => {
    expect(uploadStatus(upload())).toBe("Uploading · 2.5 MB of 10 MB · 1.3 MB/s · 6 s left");
    expect(uploadStatus(upload({ rate: 0, etaSeconds: null }))).toBe("Uploading · 2.5 MB of 10 MB");
    expect(uploadStatus(upload({ state: "paused" }))).toBe("Paused · 2.5 MB of 10 MB");
    expect(uploadStatus(upload({ state: "completed", bytesDone: 10_000_000 }))).toBe("Uploaded · 10 MB");
    expect(uploadStatus(upload({ state: "cancelled" }))).toBe("Cancelled");
    expect(uploadStatus(upload({ state: "interrupted", bytesDone: 0 }))).toBe("Not finished last time · 0 B of 10 MB");
    expect(percentDone(upload())).toBe(25);
    expect(percentDone(upload({ bytesTotal: 0, bytesDone: 0, state: "completed" }))).toBe(100);
    expect(percentDone(upload({ bytesTotal: 0, bytesDone: 0 }))).toBe(0);
  });

  it("names folders and breadcrumbs", () => {
    expect(breadcrumbs("")).toEqual([]);
    expect(breadcrumbs("a/b")).toEqual([{ label: "a", dir: "a" }, { label: "b", dir: "a/b" }]);
    expect(directoryName("docs/old/")).toBe("old");
  });
});

describe("the uploads queue", () => {
  it("replaces an upload's entry by id and keeps the order", () => {
    let queue = applyUploadEvent([], upload({ id: 1 }));
    queue = applyUploadEvent(queue, upload({ id: 2, name: "b" }));
    queue = applyUploadEvent(queue, upload({ id: 1, state: "paused" }));
    expect(queue.map((u) => [u.id, u.state])).toEqual([[1, "paused"], [2, "running"]]);
  });

  it("offers the buttons that make sense in each state", () => {
    expect(uploadActions("running")).toEqual({ pause: true, resume: false, cancel: true });
    for (const state of ["paused", "failed", "interrupted"] as const) expect(uploadActions(state)).toEqual({ pause: false, resume: true, cancel: true });
    for (const state of ["completed", "cancelled"] as const) expect(uploadActions(state)).toEqual({ pause: false, resume: false, cancel: false });
  });

  it("offers Replace only for an upload refused because the name is taken", () => {
    const taken = { code: "already_exists", message: "a file named docs/report.pdf already exists" };
    expect(offersReplace(upload({ state: "failed", error: taken }))).toBe(true);
    expect(offersReplace(upload({ state: "failed", error: { code: "access_denied", message: "x" } }))).toBe(false);
    expect(offersReplace(upload({ state: "failed", error: null }))).toBe(false);
    expect(offersReplace(upload({ state: "completed", error: taken }))).toBe(false);
  });

  it("reloads the listing once per completed upload, and clears finished ones", () => {
    expect(changesListing(upload(), upload({ state: "completed" }))).toBe(true);
    expect(changesListing(upload({ state: "completed" }), upload({ state: "completed" }))).toBe(false);
    expect(changesListing(undefined, upload())).toBe(false);
    const queue = [upload({ id: 1, state: "completed" }), upload({ id: 2 }), upload({ id: 3, state: "cancelled" }), upload({ id: 4, state: "failed" })];
    expect(withoutFinished(queue).map((u) => u.id)).toEqual([2, 4]);
  });
});

describe("error messages for files", () => {
  it("has its own wording for the storage and upload codes", () => {
    for (const code of ["access_denied", "not_found", "no_bucket", "not_configured", "guest_access_disabled", "dot_segment", "file_changed", "upload_not_resumable", "local_file_error"]) {
      expect(KNOWN_CODES).toContain(code);
    }
    expect(messageFor({ code: "guest_access_disabled", message: "x" }).text).toBe("This identity pool does not allow guests. Sign in to use files.");
    expect(messageFor({ code: "local_file_error", message: "permission denied" }).text).toContain("permission denied");
  });
});

describe("screens", () => {
  it("reaches guest files from sign-in, and sign-in from guest files", () => {
    const guest = transition({ name: "signIn", username: "" }, { type: "continueAsGuest" });
    expect(guest).toEqual({ name: "guestFiles" });
    expect(transition(guest, { type: "showSignIn" })).toEqual({ name: "signIn", username: "" });
    expect(transition({ name: "home", who }, { type: "showPage", page: "files" })).toEqual({ name: "files", who });
  });
});

type Handler = (args: unknown) => unknown;
class FilesBackend implements Backend {
  calls: { command: string; args: unknown }[] = [];
  onEvent: ((event: UploadEvent) => void) | undefined;
  watchedMode: FilesMode | undefined;
  private readonly handlers: Partial<Record<CommandName, Handler>>;
  constructor(handlers: Partial<Record<CommandName, Handler>>, private readonly initial: UploadEvent[] = []) {
    // No guest files to move unless a test says otherwise.
    this.handlers = { adopt_guest_files: () => null, ...handlers };
  }
  async call<K extends CommandName>(command: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
    this.calls.push({ command, args });
    const handler = this.handlers[command];
    if (!handler) throw { code: "internal_error", message: `unexpected ${command}` } satisfies CommandError;
    return (await handler(args)) as ResultOf<K>;
  }
  async watchUploads(mode: FilesMode, onEvent: (event: UploadEvent) => void): Promise<UploadEvent[]> {
    this.watchedMode = mode;
    this.onEvent = onEvent;
    return this.initial;
  }
  count(command: string): number {
    return this.calls.filter((call) => call.command === command).length;
  }
}

const flush = async () => {
  for (let i = 0; i < 4; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

const listing = (files: FileListingView["files"], directories: string[] = []): FileListingView => ({ prefix: "private/id-1/", dir: "", directories, files });

let root: HTMLElement;
beforeEach(() => {
  document.body.innerHTML = '<div id="app"></div>';
  root = document.getElementById("app")!;
});

describe("the files view", () => {
  it("lists folders and files with size and date, and shows upload progress from the channel", async () => {
    const backend = new FilesBackend({
      restore_session: () => who,
      list_files: () => listing([{ key: "a.txt", name: "a.txt", size: 1500, modified: "2030-01-01T00:00:00Z" }], ["docs/"]),
      pick_and_upload: () => [upload({ id: 7, state: "running", bytesDone: 0, rate: 0, etaSeconds: null })],
    });
    const app = new App(root, backend);
    await app.start();
    app.dispatch({ type: "showPage", page: "files" });
    await flush();
    expect(root.dataset.screen).toBe("files");
    expect(backend.watchedMode).toBe("signedIn");
    expect(root.querySelectorAll("[data-testid=file-row]").length).toBe(1);
    expect(root.querySelector("[data-testid=folder-row]")?.textContent).toContain("docs");
    expect(root.querySelector("[data-testid=file-row]")?.textContent).toContain("1.5 KB");

    root.querySelector<HTMLButtonElement>("[data-testid=upload-files]")!.click();
    await flush();
    expect(root.querySelector("[data-testid=upload]")?.getAttribute("data-state")).toBe("running");
    backend.onEvent!(upload({ id: 7 }));
    expect(root.querySelector("[data-testid=upload-status]")?.textContent).toBe("Uploading · 2.5 MB of 10 MB · 1.3 MB/s · 6 s left");
    expect(root.querySelector("[role=progressbar]")?.getAttribute("aria-valuenow")).toBe("25");
    expect(root.querySelector<HTMLElement>(".progress-fill")?.style.width).toBe("25%");
    const listsBefore = backend.count("list_files");
    backend.onEvent!(upload({ id: 7, state: "completed", bytesDone: 10_000_000 }));
    await flush();
    expect(backend.count("list_files")).toBe(listsBefore + 1);
    expect(root.querySelector("[data-testid=upload-pause]")).toBeNull();
  });

  it("asks before deleting, and deletes only when confirmed", async () => {
    const backend = new FilesBackend({
      restore_session: () => who,
      list_files: () => listing([{ key: "a.txt", name: "a.txt", size: 1, modified: null }]),
      delete_file: () => null,
    });
    const app = new App(root, backend);
    await app.start();
    app.dispatch({ type: "showPage", page: "files" });
    await flush();
    root.querySelector<HTMLButtonElement>("[data-testid=delete]")!.click();
    root.querySelector<HTMLButtonElement>("[data-testid=cancel-delete]")!.click();
    expect(backend.count("delete_file")).toBe(0);
    root.querySelector<HTMLButtonElement>("[data-testid=delete]")!.click();
    root.querySelector<HTMLButtonElement>("[data-testid=confirm-delete]")!.click();
    await flush();
    expect(backend.calls.find((call) => call.command === "delete_file")?.args).toEqual({ mode: "signedIn", key: "a.txt" });
  });

  it("offers to resume an upload left unfinished by an earlier run", async () => {
    const backend = new FilesBackend(
      { restore_session: () => who, list_files: () => listing([]), resume_upload: () => upload({ id: 3 }) },
      [upload({ id: 3, state: "interrupted", bytesDone: 0, rate: 0, etaSeconds: null })],
    );
    const app = new App(root, backend);
    await app.start();
    app.dispatch({ type: "showPage", page: "files" });
    await flush();
    expect(root.querySelector("[data-testid=files-empty]")).not.toBeNull();
    root.querySelector<HTMLButtonElement>("[data-testid=upload-resume]")!.click();
    await flush();
    expect(backend.calls.find((call) => call.command === "resume_upload")?.args).toEqual({ id: 3 });
  });

  it("says when an upload's name is taken and replaces it only when asked", async () => {
    const taken = { code: "already_exists", message: "a file named docs/report.pdf already exists; upload with overwrite to replace it" };
    const backend = new FilesBackend(
      { restore_session: () => who, list_files: () => listing([]), replace_upload: () => upload({ id: 5 }) },
      [upload({ id: 5, state: "failed", error: taken, rate: 0, etaSeconds: null })],
    );
    const app = new App(root, backend);
    await app.start();
    app.dispatch({ type: "showPage", page: "files" });
    await flush();
    const row = root.querySelector<HTMLElement>("[data-testid=upload]")!;
    expect(row.textContent).toContain("A file with this name is already in this folder. Nothing was replaced");
    expect(row.querySelector("[data-testid=upload-resume]")).toBeNull();
    expect(backend.count("replace_upload")).toBe(0);
    row.querySelector<HTMLButtonElement>("[data-testid=upload-replace]")!.click();
    await flush();
    expect(backend.calls.find((call) => call.command === "replace_upload")?.args).toEqual({ id: 5 });
  });

  it("shows guest files with a guest banner and a way to sign in", async () => {
    const backend = new FilesBackend({
      restore_session: () => null,
      list_files: () => ({ ...listing([]), prefix: "guest/id-2/" }),
    });
    const app = new App(root, backend);
    await app.start();
    root.querySelector<HTMLButtonElement>("[data-testid=continue-as-guest]")!.click();
    await flush();
    expect(root.dataset.screen).toBe("guestFiles");
    expect(backend.watchedMode).toBe("guest");
    expect(backend.calls.find((call) => call.command === "list_files")?.args).toEqual({ mode: "guest", dir: "" });
    expect(root.querySelector("[data-testid=guest-banner]")).not.toBeNull();
    expect(root.querySelector("[data-testid=account-button]")).toBeNull();
    // Another mode's upload events are not shown here.
    backend.onEvent!(upload({ id: 9, mode: "signedIn" }));
    expect(root.querySelector("[data-testid=upload]")).toBeNull();
    backend.onEvent!(upload({ id: 10, mode: "guest" }));
    expect(root.querySelector("[data-testid=upload]")?.getAttribute("data-key")).toBe("docs/report.pdf");
    root.querySelector<HTMLButtonElement>("[data-testid=guest-sign-in]")!.click();
    expect(root.dataset.screen).toBe("signIn");
  });

  it("shows a storage error in words", async () => {
    const backend = new FilesBackend({
      restore_session: () => who,
      list_files: () => Promise.reject({ code: "access_denied", message: "access denied" }),
    });
    const app = new App(root, backend);
    await app.start();
    app.dispatch({ type: "showPage", page: "files" });
    await flush();
    expect(root.querySelector(".notices")?.textContent).toContain("The storage service refused access");
  });
});

describe("guest files after a sign-in", () => {
  it("says what moved and what stayed", () => {
    expect(guestAdoptionNotice(null)).toBeUndefined();
    expect(guestAdoptionNotice({ moved: [], left: [], renamed: [], guestIdentityMerged: false })).toBeUndefined();
    expect(guestAdoptionNotice({ moved: ["a.txt"], left: [], renamed: [], guestIdentityMerged: false })).toEqual({ kind: "success", text: "Moved 1 file from your guest folder." });
    const notice = guestAdoptionNotice({ moved: ["a.txt", "b.txt"], left: [{ key: "report.pdf", reason: "already_exists" }], renamed: [], guestIdentityMerged: false });
    expect(notice?.kind).toBe("info");
    expect(notice?.text).toContain("Moved 2 files from your guest folder.");
    expect(notice?.text).toContain("Kept in your guest folder: report.pdf (a different file of that name is already in your files)");
    expect(notice?.text).toContain("the next sign-in tries again");
    // Merged into an older identity: what is left cannot be retried, and the notice says so.
    const merged = guestAdoptionNotice({
      moved: ["a (guest).txt"],
      left: [{ key: "huge.iso", reason: "file_too_large" }],
      renamed: [{ from: "a.txt", to: "a (guest).txt" }],
      guestIdentityMerged: true,
    });
    expect(merged?.kind).toBe("info");
    expect(merged?.text).toContain("Moved 1 file from your guest folder.");
    expect(merged?.text).toContain("a.txt is now a (guest).txt");
    expect(merged?.text).toContain("Not moved: huge.iso");
    expect(merged?.text).not.toContain("tries again");
  });

  it("moves them right after the sign-in and shows the files page with a notice", async () => {
    const backend = new FilesBackend({
      restore_session: () => null,
      backend_info: () => ({ kind: "localCloud", hostedUi: false, hostedUiProviders: [] }),
      sign_in: () => ({ step: "signedIn", who, device: "notOffered" }),
      adopt_guest_files: () => ({ moved: ["a.txt", "b.txt"], left: [], renamed: [], guestIdentityMerged: false }),
      list_files: () => listing([
        { key: "a.txt", name: "a.txt", size: 1, modified: null },
        { key: "b.txt", name: "b.txt", size: 1, modified: null },
      ]),
    });
    const app = new App(root, backend);
    await app.start();
    app.dispatch({ type: "signInAnswered", username: "ada@example.com", outcome: { step: "signedIn", who, device: "notOffered" } });
    await flush();
    expect(backend.count("adopt_guest_files")).toBe(1);
    expect(root.dataset.screen).toBe("files");
    expect(root.querySelector(".notices")?.textContent).toContain("Moved 2 files from your guest folder.");
    expect(root.querySelectorAll("[data-testid=file-row]").length).toBe(2);
  });

  it("moves what is waiting when the app starts into a kept session, and asks nothing signed out", async () => {
    const backend = new FilesBackend({
      restore_session: () => who,
      adopt_guest_files: () => ({ moved: ["notes.txt"], left: [], renamed: [], guestIdentityMerged: true }),
      list_files: () => listing([{ key: "notes.txt", name: "notes.txt", size: 1, modified: null }]),
    });
    await new App(root, backend).start();
    await flush();
    expect(backend.count("adopt_guest_files")).toBe(1);
    expect(root.dataset.screen).toBe("files");
    expect(root.querySelector(".notices")?.textContent).toContain("Moved 1 file from your guest folder.");

    const signedOut = new FilesBackend({ restore_session: () => null });
    await new App(root, signedOut).start();
    await flush();
    expect(signedOut.count("adopt_guest_files")).toBe(0);
  });

  it("does not pull a person who went elsewhere meanwhile away to the files page", async () => {
    let finish: (value: unknown) => void = () => undefined;
    const moving = new Promise((resolve) => {
      finish = resolve;
    });
    const backend = new FilesBackend({
      restore_session: () => null,
      backend_info: () => ({ kind: "localCloud", hostedUi: false, hostedUiProviders: [] }),
      adopt_guest_files: () => moving,
    });
    const app = new App(root, backend);
    await app.start();
    app.dispatch({ type: "signInAnswered", username: "ada@example.com", outcome: { step: "signedIn", who, device: "notOffered" } });
    await flush();
    expect(root.dataset.screen).toBe("home");
    app.dispatch({ type: "showPage", page: "security" });
    finish({ moved: ["a.txt"], left: [], renamed: [], guestIdentityMerged: false });
    await flush();
    expect(root.dataset.screen).toBe("security");
    expect(root.querySelector(".notices")?.textContent).toContain("Moved 1 file from your guest folder.");
  });

  it("does not blame the page a person went to for a move that failed meanwhile", async () => {
    let fail: (error: unknown) => void = () => undefined;
    const moving = new Promise((_, reject) => {
      fail = reject;
    });
    const backend = new FilesBackend({
      restore_session: () => null,
      backend_info: () => ({ kind: "localCloud", hostedUi: false, hostedUiProviders: [] }),
      adopt_guest_files: () => moving,
    });
    const app = new App(root, backend);
    await app.start();
    app.dispatch({ type: "signInAnswered", username: "ada@example.com", outcome: { step: "signedIn", who, device: "notOffered" } });
    await flush();
    app.dispatch({ type: "showPage", page: "security" });
    await flush();
    root.querySelector(".notices")?.replaceChildren(document.createTextNode("Coffer now uses your backend."));
    fail({ code: "endpoint_unreachable", message: "the local cloud stopped" });
    await flush();
    expect(root.querySelector(".notices")?.textContent).toBe("Coffer now uses your backend.");
  });

  it("stays on the home page when there was nothing to move", async () => {
    const backend = new FilesBackend({ restore_session: () => null, backend_info: () => ({ kind: "localCloud", hostedUi: false, hostedUiProviders: [] }) });
    const app = new App(root, backend);
    await app.start();
    app.dispatch({ type: "signInAnswered", username: "ada@example.com", outcome: { step: "signedIn", who, device: "notOffered" } });
    await flush();
    expect(backend.count("adopt_guest_files")).toBe(1);
    expect(root.dataset.screen).toBe("home");
  });
});
