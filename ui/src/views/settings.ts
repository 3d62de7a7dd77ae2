// The settings screen: which backend the app talks to and how to change it.
//
// Extension point: importing Amplify's `amplify_outputs.json` and choosing a config file with
// the dialog plugin land here.
import type { BackendView, WhoAmIView } from "../ipc/bindings";
import type { ViewContext } from "./context";
import { h } from "./dom";
import { backendLabel, shell } from "./home";

function row(term: string, value: string | null, testid: string, mono = true): HTMLElement[] {
  return [h("dt", {}, term), h("dd", { class: mono ? "mono" : "", "data-testid": testid }, value ?? "—")];
}

export function settingsView(ctx: ViewContext, backend: BackendView, who: WhoAmIView | null): HTMLElement {
  const explanation =
    backend.kind === "localCloud"
      ? "Coffer runs a local cloud inside the app: a faithful emulator of Amazon Cognito on this computer. Nothing leaves the machine; codes that would be e-mailed appear in its outbox."
      : backend.kind === "externalLocalCloud"
        ? "Another process (coffer local-cloud) already serves the local cloud for this data directory; Coffer uses it."
        : "Coffer talks to the user pool named in your config file.";
  const content = h(
    "div",
    { class: "page" },
    h("h1", { id: "screen-title", tabindex: "-1" }, "Settings"),
    h("p", { class: "subtitle" }, "Where Coffer signs you in."),
    h(
      "section",
      { class: "card", "aria-labelledby": "backend-title", "data-testid": "backend" },
      h("div", { class: "card-title-row" }, h("h2", { id: "backend-title" }, "Backend"), h("span", { class: `pill pill-${backend.kind}`, "data-testid": "backend-kind" }, backendLabel(backend))),
      h("p", { class: "muted" }, explanation),
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
    h(
      "section",
      { class: "card", "aria-labelledby": "change-title" },
      h("h2", { id: "change-title" }, "Use another backend"),
      h(
        "p",
        { class: "muted" },
        "To use your own Cognito user pool on AWS, write its settings to ",
        h("code", {}, "~/.config/coffer/coffer.toml"),
        " (or name a file with the ",
        h("code", {}, "COFFER_CONFIG"),
        " environment variable) and restart Coffer.",
      ),
    ),
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
