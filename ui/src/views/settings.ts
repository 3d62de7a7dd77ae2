// The settings screen: which backend the app talks to, and changing it without a terminal.
//
// "Use my own backend…" asks the app to open a file dialog (the dialog opens from Rust: the web
// view has no dialog or file-system permission and never names a path). The app reads and
// checks the file and returns a summary, shown here for the person to confirm; confirming
// takes no argument, so what is saved is exactly what was shown.
import { asCommandError } from "../ipc/backend";
import type { BackendFileView, BackendView } from "../ipc/bindings";
import { messageFor } from "../logic/errors";
import { whoOf, type Screen } from "../logic/machine";
import type { ViewContext } from "./context";
import { banner, busy, h } from "./dom";
import { backendLabel, shell } from "./home";

type SettingsScreen = Extract<Screen, { name: "settings" }>;

function row(term: string, value: string | null, testid: string, mono = true): HTMLElement[] {
  return [h("dt", {}, term), h("dd", { class: mono ? "mono" : "", "data-testid": testid }, value ?? "—")];
}

/** Runs a settings command; a refusal is shown in `notices` and forgets a waiting choice. */
function settingsAction(ctx: ViewContext, notices: HTMLElement, button: HTMLButtonElement, work: () => Promise<void>): void {
  void busy(button, async () => {
    try {
      await work();
    } catch (error) {
      const text = messageFor(asCommandError(error)).text;
      ctx.dispatch({ type: "backendChoiceClosed", notice: { kind: "error", text } });
      // Still on the same screen when there was nothing to close: show it in place.
      if (notices.isConnected) notices.replaceChildren(banner("error", text));
    }
  });
}

function summary(ctx: ViewContext, file: BackendFileView, notices: HTMLElement): HTMLElement {
  const confirm = h("button", { type: "button", class: "primary", "data-testid": "confirm-backend" }, "Use this backend");
  const cancel = h("button", { type: "button", class: "secondary", "data-testid": "cancel-backend" }, "Cancel");
  confirm.addEventListener("click", () =>
    settingsAction(ctx, notices, confirm, async () => {
      const backend = await ctx.backend.call("use_chosen_backend", null);
      ctx.dispatch({ type: "backendChanged", backend });
    }),
  );
  cancel.addEventListener("click", () =>
    settingsAction(ctx, notices, cancel, async () => {
      await ctx.backend.call("cancel_backend_choice", null);
      ctx.dispatch({ type: "backendChoiceClosed" });
    }),
  );
  return h(
    "div",
    { "data-testid": "backend-summary" },
    h(
      "dl",
      { class: "details" },
      ...row("File", file.file, "chosen-file"),
      ...row("Region", file.region, "chosen-region"),
      ...row("User pool", file.userPoolId, "chosen-pool"),
      ...row("App client", file.clientId, "chosen-client"),
      ...row("Identity pool", file.identityPoolId, "chosen-identity-pool"),
      ...row("Bucket", file.bucket, "chosen-bucket"),
      ...row("Hosted UI", file.hostedUiDomain, "chosen-hosted-ui"),
      ...(file.awsEndpoints ? [] : row("Endpoint", file.endpoint, "chosen-endpoint")),
      ...row("Saved to", file.savedTo, "chosen-saved-to"),
    ),
    h("p", { class: "muted" }, "Switching signs you out here: your session belongs to the backend you use now."),
    h("div", { class: "actions card-actions" }, cancel, confirm),
  );
}

function changeCard(ctx: ViewContext, screen: SettingsScreen): HTMLElement {
  const { backend } = screen;
  const notices = h("div", { class: "notices", "data-testid": "backend-notices" });
  if (screen.notice) notices.append(banner(screen.notice.kind, screen.notice.text));
  let body: HTMLElement;
  if (backend.changeUnavailable) {
    body = h("p", { class: "muted", "data-testid": "backend-change-unavailable" }, sentence(backend.changeUnavailable));
  } else if (screen.chosen) {
    body = summary(ctx, screen.chosen, notices);
  } else {
    const choose = h("button", { type: "button", class: "primary", "data-testid": "choose-backend" }, "Use my own backend…");
    choose.addEventListener("click", () =>
      settingsAction(ctx, notices, choose, async () => {
        const file = await ctx.backend.call("choose_backend_file", null);
        if (file) ctx.dispatch({ type: "backendFileChosen", file });
      }),
    );
    const buttons: HTMLElement[] = [choose];
    if (backend.kind === "configFile") {
      const revert = h("button", { type: "button", class: "secondary", "data-testid": "use-local-cloud" }, "Back to the local cloud");
      revert.addEventListener("click", () =>
        settingsAction(ctx, notices, revert, async () => {
          const local = await ctx.backend.call("use_local_cloud", null);
          ctx.dispatch({ type: "backendChanged", backend: local });
        }),
      );
      buttons.push(revert);
    }
    body = h(
      "div",
      {},
      h(
        "p",
        { class: "muted" },
        "Point Coffer at your own Amazon Cognito user pool: choose the ",
        h("code", {}, "amplify_outputs.json"),
        " of an Amplify app, or a ",
        h("code", {}, "coffer.toml"),
        ". Coffer shows what it found before anything changes.",
      ),
      h("div", { class: "actions card-actions" }, ...buttons),
    );
  }
  const title = h(
    "h2",
    { id: "change-title", tabindex: "-1" },
    !screen.chosen ? "Your own backend" : screen.chosen.format === "amplifyOutputs" ? "Check this Amplify backend" : "Check this backend",
  );
  // The summary is further down the page than the screen's title: take focus (and the view)
  // there once the screen is shown, so the person reads it and can confirm from the keyboard.
  if (screen.chosen) setTimeout(() => title.focus(), 0);
  return h("section", { class: "card", "aria-labelledby": "change-title", "data-testid": "backend-change" }, title, notices, body);
}

/** The app's sentences start lower-case (they also end up in logs); a screen wants a capital. */
function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1).replace(/\.?$/, ".")}`;
}

function explanation(backend: BackendView): string {
  switch (backend.kind) {
    case "localCloud":
      return "Coffer runs a local cloud inside the app: a faithful emulator of Amazon Cognito on this computer. Nothing leaves the machine; codes that would be e-mailed appear in its outbox.";
    case "externalLocalCloud":
      return "Another process (coffer local-cloud) already serves the local cloud for this data directory; Coffer uses it.";
    case "configFile":
      return "Coffer talks to the user pool named in your config file.";
  }
}

export function settingsView(ctx: ViewContext, screen: SettingsScreen): HTMLElement {
  const { backend } = screen;
  const who = whoOf(screen.back);
  const content = h(
    "div",
    { class: "page" },
    h("h1", { id: "screen-title", tabindex: "-1" }, "Settings"),
    h("p", { class: "subtitle" }, "Where Coffer signs you in."),
    h(
      "section",
      { class: "card", "aria-labelledby": "backend-title", "data-testid": "backend" },
      h("div", { class: "card-title-row" }, h("h2", { id: "backend-title" }, "Backend"), h("span", { class: `pill pill-${backend.kind}`, "data-testid": "backend-kind" }, backendLabel(backend))),
      h("p", { class: "muted" }, explanation(backend)),
      h(
        "dl",
        { class: "details" },
        ...row("Endpoint", backend.endpoint, "backend-endpoint"),
        ...row("Region", backend.region, "backend-region"),
        ...row("User pool", backend.userPoolId, "backend-pool"),
        ...row("App client", backend.clientId, "backend-client"),
        ...row("Config file", backend.configPath, "backend-config"),
        ...row("Chosen because", backend.configOrigin, "backend-origin", false),
        ...(backend.dataDir ? row("Data directory", backend.dataDir, "backend-data") : []),
      ),
    ),
    changeCard(ctx, screen),
  );
  if (who) return shell(ctx, who, "settings", content, h("div", { class: "notices" }));
  return h(
    "div",
    { class: "auth settings-standalone" },
    h(
      "div",
      { class: "standalone" },
      h("button", { type: "button", class: "link-button back", "data-testid": "settings-back", onclick: () => ctx.dispatch({ type: "closeSettings" }) }, "← Back"),
      content,
    ),
  );
}
