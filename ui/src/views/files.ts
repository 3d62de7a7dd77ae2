// The files view: the person's own folder (signed in) or the device's guest folder. Lists
// folders and files, uploads through the picker (opened by the app, from Rust) or by dropping
// files on the window (the app receives the paths and reports the uploads here), shows each
// upload's progress with pause / resume / cancel, downloads (save dialog from Rust) and deletes
// after an inline confirmation.
import type { FileListingView, FileView, FilesMode, UploadEvent, WhoAmIView } from "../ipc/bindings";
import { asCommandError } from "../ipc/backend";
import { endsSession, messageFor } from "../logic/errors";
import {
  applyUploadEvent,
  breadcrumbs,
  changesListing,
  directoryName,
  directoryPath,
  formatBytes,
  percentDone,
  offersReplace,
  uploadActions,
  uploadStatus,
  withoutFinished,
} from "../logic/files";
import type { Notice } from "../logic/machine";
import type { ViewContext } from "./context";
import { banner, busy, h } from "./dom";
import { shell } from "./home";

function modifiedText(file: FileView): string {
  if (!file.modified) return "—";
  const date = new Date(file.modified);
  if (Number.isNaN(date.getTime())) return "—";
  return date.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function filesView(ctx: ViewContext, screen: { who: WhoAmIView | null; notice?: Notice }): HTMLElement {
  const mode: FilesMode = screen.who ? "signedIn" : "guest";
  const notices = h("div", { class: "notices" });
  if (screen.notice) notices.append(banner(screen.notice.kind, screen.notice.text));
  let dir = "";
  let queue: UploadEvent[] = [];

  const report = (error: unknown) => {
    const commandError = asCommandError(error);
    const text = messageFor(commandError).text;
    if (mode === "signedIn" && endsSession(commandError)) {
      ctx.dispatch({ type: "sessionLost", notice: { kind: "error", text } });
      return;
    }
    notices.replaceChildren(banner("error", text));
  };

  const crumbs = h("nav", { class: "crumbs", "aria-label": "Folder" });
  const table = h("div", { class: "file-list", "data-testid": "file-list", "aria-busy": "true" });
  const uploadsList = h("ul", { class: "uploads", "data-testid": "uploads", "aria-label": "Uploads" });
  const uploadsSection = h("section", { class: "card uploads-card", "aria-labelledby": "uploads-title", hidden: true });
  const clearFinished = h(
    "button",
    { type: "button", class: "link-button", "data-testid": "clear-finished", onclick: () => { queue = withoutFinished(queue); renderUploads(); } },
    "Clear finished",
  );
  uploadsSection.append(h("div", { class: "card-title-row" }, h("h2", { id: "uploads-title" }, "Uploads"), clearFinished), uploadsList);

  function renderCrumbs() {
    const root = h("button", { type: "button", class: "crumb", "data-testid": "crumb-root", onclick: () => void open("") }, mode === "guest" ? "Guest files" : "My files");
    const parts: HTMLElement[] = [root];
    for (const crumb of breadcrumbs(dir)) {
      parts.push(h("span", { class: "crumb-separator", "aria-hidden": "true" }, "›"));
      parts.push(h("button", { type: "button", class: "crumb", onclick: () => void open(crumb.dir) }, crumb.label));
    }
    parts[parts.length - 1]?.setAttribute("aria-current", "location");
    crumbs.replaceChildren(...parts);
    // At the top the title says where this is.
    crumbs.hidden = dir === "";
  }

  function fileRow(file: FileView): HTMLElement {
    const row = h("div", { class: "file-row", role: "row", "data-testid": "file-row", "data-key": file.key });
    const actions = h("div", { class: "file-actions", role: "cell" });
    const download = h("button", { type: "button", class: "btn-small", "data-testid": "download", "aria-label": `Download ${file.name}` }, "Download");
    download.addEventListener("click", () =>
      void busy(download, async () => {
        try {
          const saved = await ctx.backend.call("download_file", { mode, key: file.key });
          if (saved) notices.replaceChildren(banner("success", `Saved ${file.name} to ${saved}.`));
        } catch (error) {
          report(error);
        }
      }),
    );
    const remove = h("button", { type: "button", class: "btn-small danger-text", "data-testid": "delete", "aria-label": `Delete ${file.name}` }, "Delete");
    remove.addEventListener("click", () => confirmDelete());
    actions.append(download, remove);
    function confirmDelete() {
      const yes = h("button", { type: "button", class: "btn-small danger-fill", "data-testid": "confirm-delete" }, "Delete");
      const no = h("button", { type: "button", class: "btn-small", "data-testid": "cancel-delete" }, "Keep");
      const question = h("span", { class: "confirm-text", role: "alert" }, `Delete “${file.name}” for good?`);
      no.addEventListener("click", () => {
        actions.replaceChildren(download, remove);
        remove.focus();
      });
      yes.addEventListener("click", () =>
        void busy(yes, async () => {
          try {
            await ctx.backend.call("delete_file", { mode, key: file.key });
            notices.replaceChildren(banner("success", `Deleted ${file.name}.`));
          } catch (error) {
            report(error);
          }
          await load();
        }),
      );
      actions.replaceChildren(question, yes, no);
      no.focus();
    }
    row.append(
      h("div", { class: "file-name", role: "cell" }, h("span", { class: "file-icon", "aria-hidden": "true" }), h("span", { class: "name-text", title: file.name }, file.name)),
      h("div", { class: "file-size", role: "cell" }, formatBytes(file.size)),
      h("div", { class: "file-date", role: "cell" }, modifiedText(file)),
      actions,
    );
    return row;
  }

  function renderListing(listing: FileListingView) {
    const header = h(
      "div",
      { class: "file-row file-header", role: "row" },
      h("div", { role: "columnheader" }, "Name"),
      h("div", { role: "columnheader" }, "Size"),
      h("div", { role: "columnheader" }, "Modified"),
      h("div", { role: "columnheader" }, h("span", { class: "visually-hidden" }, "Actions")),
    );
    const folders = listing.directories.map((relative) =>
      h(
        "div",
        { class: "file-row folder-row", role: "row", "data-testid": "folder-row" },
        h(
          "div",
          { class: "file-name", role: "cell" },
          h("span", { class: "folder-icon", "aria-hidden": "true" }),
          h("button", { type: "button", class: "link-button folder-link", onclick: () => void open(directoryPath(relative)) }, directoryName(relative)),
        ),
        h("div", { class: "file-size", role: "cell" }, "—"),
        h("div", { class: "file-date", role: "cell" }, ""),
        h("div", { class: "file-actions", role: "cell" }),
      ),
    );
    const rows = listing.files.map(fileRow);
    table.setAttribute("role", "table");
    table.setAttribute("aria-label", "Files");
    table.removeAttribute("aria-busy");
    if (folders.length === 0 && rows.length === 0) {
      table.replaceChildren(
        h(
          "div",
          { class: "empty", "data-testid": "files-empty" },
          h("p", { class: "empty-title" }, "No files here yet"),
          h("p", { class: "muted" }, "Drop files on this window or choose “Upload files”."),
        ),
      );
      return;
    }
    table.replaceChildren(header, ...folders, ...rows);
  }

  async function load() {
    table.setAttribute("aria-busy", "true");
    try {
      renderListing(await ctx.backend.call("list_files", { mode, dir }));
    } catch (error) {
      table.removeAttribute("aria-busy");
      report(error);
    }
  }

  async function open(next: string) {
    dir = next;
    renderCrumbs();
    await load();
  }

  function uploadRow(upload: UploadEvent): HTMLElement {
    const percent = percentDone(upload);
    const actions = uploadActions(upload.state);
    const replace = offersReplace(upload);
    const act = (label: string, testid: string, command: "pause_upload" | "resume_upload" | "replace_upload" | "cancel_upload") => {
      const button = h("button", { type: "button", class: "btn-small", "data-testid": testid, "aria-label": `${label} ${upload.name}` }, label);
      button.addEventListener("click", () =>
        void busy(button, async () => {
          try {
            await ctx.backend.call(command, { id: upload.id });
          } catch (error) {
            report(error);
          }
        }),
      );
      return button;
    };
    // Set through the CSSOM: the CSP (style-src 'self') refuses inline style attributes.
    const fill = h("div", { class: "progress-fill" });
    fill.style.width = `${percent}%`;
    return h(
      "li",
      { class: `upload upload-${upload.state}`, "data-testid": "upload", "data-state": upload.state, "data-key": upload.key },
      h(
        "div",
        { class: "upload-line" },
        h("span", { class: "name-text", title: upload.key }, upload.name),
        h(
          "span",
          { class: "upload-buttons" },
          actions.pause ? act("Pause", "upload-pause", "pause_upload") : null,
          replace ? act("Replace", "upload-replace", "replace_upload") : null,
          actions.resume && !replace ? act("Resume", "upload-resume", "resume_upload") : null,
          actions.cancel ? act("Cancel", "upload-cancel", "cancel_upload") : null,
        ),
      ),
      h(
        "div",
        { class: "progress", role: "progressbar", "aria-label": `Upload of ${upload.name}`, "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": percent },
        fill,
      ),
      h("p", { class: "upload-status", "data-testid": "upload-status" }, uploadStatus(upload)),
      upload.error ? h("p", { class: "field-error" }, messageFor(upload.error).text) : null,
    );
  }

  function renderUploads() {
    uploadsSection.hidden = queue.length === 0;
    clearFinished.hidden = queue.length === withoutFinished(queue).length;
    uploadsList.replaceChildren(...queue.map(uploadRow));
  }

  function onEvent(event: UploadEvent) {
    if (event.mode !== mode) return;
    const before = queue.find((upload) => upload.id === event.id);
    queue = applyUploadEvent(queue, event);
    renderUploads();
    if (changesListing(before, event)) void load();
  }

  const uploadButton = h("button", { type: "button", class: "primary compact", "data-testid": "upload-files" }, "Upload files…");
  uploadButton.addEventListener("click", () =>
    void busy(uploadButton, async () => {
      try {
        const started = await ctx.backend.call("pick_and_upload", { mode, dir });
        // The channel may already have reported these (a small file can finish first).
        for (const event of started) if (!queue.some((upload) => upload.id === event.id)) onEvent(event);
      } catch (error) {
        report(error);
      }
    }),
  );
  const refresh = h("button", { type: "button", class: "secondary compact", "data-testid": "refresh-files", onclick: () => void load() }, "Refresh");

  const guestBanner =
    mode === "guest"
      ? h(
          "div",
          { class: "banner banner-info guest-banner", role: "status", "data-testid": "guest-banner" },
          h("div", {}, h("strong", {}, "You are using Coffer as a guest. "), "Guest files belong to this device only, and may be lost when guest access ends."),
          h("button", { type: "button", class: "primary compact", "data-testid": "guest-sign-in", onclick: () => ctx.dispatch({ type: "showSignIn" }) }, "Sign in to keep your files"),
        )
      : null;

  const content = h(
    "div",
    { class: "page wide" },
    h(
      "div",
      { class: "page-head" },
      h("div", {}, h("h1", { id: "screen-title", tabindex: "-1" }, mode === "guest" ? "Guest files" : "Files"), crumbs),
      h("div", { class: "page-actions" }, refresh, uploadButton),
    ),
    guestBanner,
    uploadsSection,
    h("section", { class: "card files-card" }, table),
    h("p", { class: "muted drop-hint" }, "Drop files anywhere on this window to upload them to this folder."),
  );

  renderCrumbs();
  void load();
  ctx.backend
    .watchUploads(mode, onEvent)
    .then((uploads) => {
      for (const upload of uploads) queue = applyUploadEvent(queue, upload);
      renderUploads();
    })
    .catch(report);

  return shell(ctx, screen.who, "files", content, notices);
}
