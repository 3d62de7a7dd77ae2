// The signed-in window: title bar with the account menu, a sidebar, and the home page.
import type { BackendView, WhoAmIView } from "../ipc/bindings";
import { asCommandError } from "../ipc/backend";
import { endsSession, messageFor } from "../logic/errors";
import { expiryText, initial } from "../logic/format";
import type { Notice } from "../logic/machine";
import type { ViewContext } from "./context";
import { banner, h } from "./dom";

export function backendLabel(backend: Pick<BackendView, "kind">): string {
  switch (backend.kind) {
    case "localCloud":
      return "Local cloud";
    case "externalLocalCloud":
      return "Local cloud (separate process)";
    case "configFile":
      return "Config file";
  }
}

/** Runs an account action; errors that end the session go back to sign-in, others show. */
export async function accountAction(ctx: ViewContext, notices: HTMLElement, work: () => Promise<void>): Promise<void> {
  notices.replaceChildren();
  try {
    await work();
  } catch (error) {
    const commandError = asCommandError(error);
    const text = messageFor(commandError).text;
    if (endsSession(commandError)) ctx.dispatch({ type: "sessionLost", notice: { kind: "error", text } });
    else notices.append(banner("error", text));
  }
}

/** The account menu: a menu button with arrow-key navigation, Escape and outside-click closing. */
function accountMenu(ctx: ViewContext, who: WhoAmIView, notices: HTMLElement): HTMLElement {
  const label = who.email ?? who.username;
  const button = h(
    "button",
    { type: "button", class: "account-button", "aria-haspopup": "menu", "aria-expanded": "false", "aria-controls": "account-menu", "data-testid": "account-button" },
    h("span", { class: "avatar", "aria-hidden": "true" }, initial(who)),
    h("span", { class: "account-name" }, label),
    h("span", { class: "chevron", "aria-hidden": "true" }, "▾"),
  );
  const item = (text: string, testid: string, action: () => Promise<void>, danger = false) =>
    h("button", { type: "button", role: "menuitem", tabindex: "-1", class: danger ? "danger" : "", "data-testid": testid, onclick: () => { close(false); void accountAction(ctx, notices, action); } }, text);
  const menu = h(
    "div",
    { class: "menu", id: "account-menu", role: "menu", "aria-label": "Account", hidden: true },
    h("div", { class: "menu-header", role: "presentation" }, h("strong", {}, label), h("span", {}, "Signed in")),
    item("Refresh session", "menu-refresh", async () => {
      const fresh = await ctx.backend.call("refresh", null);
      ctx.dispatch({ type: "refreshed", who: fresh });
    }),
    item("Security", "menu-security", async () => ctx.dispatch({ type: "showPage", page: "security" })),
    item("Devices", "menu-devices", async () => ctx.dispatch({ type: "showPage", page: "devices" })),
    item("Settings", "menu-settings", () => ctx.openSettings()),
    h("div", { class: "menu-separator", role: "separator" }),
    item("Sign out", "menu-sign-out", async () => {
      await ctx.backend.call("sign_out", null);
      ctx.dispatch({ type: "signedOut", everywhere: false });
    }),
    item("Sign out everywhere", "menu-sign-out-everywhere", async () => {
      await ctx.backend.call("sign_out_everywhere", null);
      ctx.dispatch({ type: "signedOut", everywhere: true });
    }, true),
  );
  const items = () => [...menu.querySelectorAll<HTMLButtonElement>("[role=menuitem]")];
  const onOutside = (event: MouseEvent) => {
    if (!wrapper.contains(event.target as Node)) close(false);
  };
  function open() {
    menu.hidden = false;
    button.setAttribute("aria-expanded", "true");
    items()[0]?.focus();
    document.addEventListener("mousedown", onOutside);
  }
  function close(returnFocus: boolean) {
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
    document.removeEventListener("mousedown", onOutside);
    if (returnFocus) button.focus();
  }
  button.addEventListener("click", () => (menu.hidden ? open() : close(true)));
  button.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      open();
    }
  });
  menu.addEventListener("keydown", (event) => {
    const list = items();
    const index = list.indexOf(document.activeElement as HTMLButtonElement);
    const move = (to: number) => list[(to + list.length) % list.length]?.focus();
    if (event.key === "ArrowDown") move(index + 1);
    else if (event.key === "ArrowUp") move(index - 1);
    else if (event.key === "Home") move(0);
    else if (event.key === "End") move(list.length - 1);
    else if (event.key === "Escape") close(true);
    else if (event.key === "Tab") close(false);
    else return;
    if (event.key !== "Tab") event.preventDefault();
  });
  const wrapper = h("div", { class: "account" }, button, menu);
  return wrapper;
}

/** The window frame of signed-in pages, and of the guest files view (`who` null). */
export function shell(
  ctx: ViewContext,
  who: WhoAmIView | null,
  current: "home" | "files" | "security" | "devices" | "settings",
  content: HTMLElement,
  notices: HTMLElement,
): HTMLElement {
  const navItem = (id: "home" | "security" | "devices" | "settings" | "files", text: string, onclick?: () => void) =>
    h(
      "button",
      {
        type: "button",
        class: `nav-item${current === id ? " current" : ""}`,
        "aria-current": current === id ? "page" : undefined,
        disabled: !onclick,
        title: onclick ? undefined : "Coming in a later version",
        "data-testid": `nav-${id}`,
        onclick,
      },
      text,
      onclick ? null : h("span", { class: "soon" }, "Soon"),
    );
  return h(
    "div",
    { class: "shell" },
    h(
      "header",
      { class: "titlebar" },
      h("div", { class: "brand small" }, h("img", { src: "/logo.png", alt: "", width: 24, height: 24 }), h("span", { class: "brand-name" }, "Coffer")),
      h("div", { class: "titlebar-spacer" }),
      who
        ? accountMenu(ctx, who, notices)
        : current === "files"
          ? h("span", { class: "guest-badge", "data-testid": "guest-badge" }, "Guest")
          : null,
    ),
    h(
      "nav",
      { class: "sidebar", "aria-label": "Sections" },
      who ? navItem("home", "Home", () => {
        ctx.dispatch({ type: "showPage", page: "home" });
      }) : null,
      navItem("files", "Files", () => {
        ctx.dispatch({ type: "showPage", page: "files" });
      }),
      who ? navItem("security", "Security", () => {
        ctx.dispatch({ type: "showPage", page: "security" });
      }) : null,
      who ? navItem("devices", "Devices", () => {
        ctx.dispatch({ type: "showPage", page: "devices" });
      }) : null,
      navItem("settings", "Settings", () => {
        if (current !== "settings") void ctx.openSettings();
      }),
    ),
    h("main", { class: "content", "aria-labelledby": "screen-title" }, notices, content),
  );
}

function detail(term: string, value: string, testid: string, mono = false): HTMLElement[] {
  return [h("dt", {}, term), h("dd", { class: mono ? "mono" : "", "data-testid": testid }, value)];
}

export function homeView(ctx: ViewContext, screen: { who: WhoAmIView; notice?: Notice }): HTMLElement {
  const { who } = screen;
  const notices = h("div", { class: "notices" });
  if (screen.notice) notices.append(banner(screen.notice.kind, screen.notice.text));
  const content = h(
    "div",
    { class: "page" },
    h("h1", { id: "screen-title", tabindex: "-1" }, "Your account"),
    h("p", { class: "subtitle" }, "You are signed in. The session is kept in the system keychain and refreshed when needed."),
    h(
      "section",
      { class: "card", "aria-labelledby": "who-title", "data-testid": "whoami" },
      h(
        "div",
        { class: "card-header" },
        h("span", { class: "avatar large", "aria-hidden": "true" }, initial(who)),
        h("div", {}, h("h2", { id: "who-title" }, who.email ?? who.username), h("p", { class: "muted" }, "Verified by the user pool's signing keys")),
      ),
      h(
        "dl",
        { class: "details" },
        ...detail("E-mail", who.email ?? "—", "who-email"),
        ...detail("Username", who.username, "who-username", true),
        ...detail("User ID (sub)", who.sub, "who-sub", true),
        ...detail("Session valid until", expiryText(who.expiresAt, ctx.now()), "who-expiry"),
      ),
    ),
    h(
      "section",
      { class: "card", "aria-labelledby": "files-title" },
      h("h2", { id: "files-title" }, "Files"),
      h("p", { class: "muted" }, "Your own folder in the bucket: upload by dropping files on the window or with the picker."),
      h("button", { type: "button", class: "secondary compact", "data-testid": "open-files", onclick: () => ctx.dispatch({ type: "showPage", page: "files" }) }, "Open files"),
    ),
  );
  return shell(ctx, who, "home", content, notices);
}
