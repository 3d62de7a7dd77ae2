import { beforeEach, describe, expect, it } from "vitest";
import { App } from "../src/app";
import type { ArgsOf, Backend, CommandName, ResultOf } from "../src/ipc/backend";
import type { CommandError, UploadEvent, WhoAmIView } from "../src/ipc/bindings";
import { expiryText, initial, relativeTime } from "../src/logic/format";

const who: WhoAmIView = { username: "0b1c-uuid", sub: "sub-123", email: "ada@example.com", expiresAt: "2030-01-01T01:00:00Z" };

type Handler = (args: unknown) => unknown;

/** A Backend that answers from a table and records the calls. */
class FakeBackend implements Backend {
  calls: { command: string; args: unknown }[] = [];
  constructor(private readonly handlers: Partial<Record<CommandName, Handler>>) {}
  async call<K extends CommandName>(command: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
    this.calls.push({ command, args });
    const handler = this.handlers[command];
    if (!handler) throw { code: "internal_error", message: `unexpected ${command}` } satisfies CommandError;
    return (await handler(args)) as ResultOf<K>;
  }
  async watchUploads(): Promise<UploadEvent[]> {
    this.calls.push({ command: "watch_uploads", args: null });
    return [];
  }
}

const reject = (error: CommandError) => () => Promise.reject(error);
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function input(root: HTMLElement, name: string): HTMLInputElement {
  const element = root.querySelector<HTMLInputElement>(`input[name=${name}]`);
  if (!element) throw new Error(`no input ${name}`);
  return element;
}

async function submit(root: HTMLElement, testid: string): Promise<void> {
  root.querySelector<HTMLFormElement>(`[data-testid=${testid}]`)!.requestSubmit();
  await flush();
  await flush();
}

let root: HTMLElement;
beforeEach(() => {
  document.body.innerHTML = '<div id="app"></div>';
  root = document.getElementById("app")!;
});

describe("App", () => {
  it("opens on the restored session and shows who is signed in", async () => {
    const app = new App(root, new FakeBackend({ restore_session: () => who }), () => new Date("2030-01-01T00:00:00Z"));
    await app.start();
    expect(root.dataset.screen).toBe("home");
    expect(root.querySelector("[data-testid=who-email]")?.textContent).toBe("ada@example.com");
    expect(root.querySelector("[data-testid=who-sub]")?.textContent).toBe("sub-123");
    expect(root.querySelector("[data-testid=who-expiry]")?.textContent).toContain("in 1 hour");
  });

  it("checks the form before calling the backend, and focuses the first problem", async () => {
    const backend = new FakeBackend({ restore_session: () => null });
    await new App(root, backend).start();
    expect(document.activeElement).toBe(input(root, "username"));
    await submit(root, "sign-in-form");
    // The sign-in screen asks which browser sign-ins exist; the form itself called nothing.
    expect(backend.calls.map((call) => call.command)).toEqual(["restore_session", "backend_info"]);
    expect(input(root, "username").getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(input(root, "username"));
  });

  it("shows a wrong password on the password field and clears it", async () => {
    const backend = new FakeBackend({
      restore_session: () => null,
      sign_in: reject({ code: "wrong_username_or_password", message: "incorrect username or password" }),
    });
    await new App(root, backend).start();
    input(root, "username").value = "ada@example.com";
    input(root, "password").value = "nope";
    await submit(root, "sign-in-form");
    expect(backend.calls.find((call) => call.command === "sign_in")).toEqual({ command: "sign_in", args: { username: "ada@example.com", password: "nope", rememberDevice: false } });
    const password = input(root, "password");
    expect(password.getAttribute("aria-invalid")).toBe("true");
    expect(password.value).toBe("");
    expect(root.textContent).toContain("The e-mail address or password is incorrect.");
    expect(document.activeElement).toBe(password);
  });

  it("takes an unconfirmed user to the code screen, and back to sign-in once confirmed", async () => {
    const backend = new FakeBackend({
      restore_session: () => null,
      sign_in: reject({ code: "user_not_confirmed", message: "" }),
      confirm_sign_up: () => null,
    });
    const app = new App(root, backend);
    await app.start();
    input(root, "username").value = "ada@example.com";
    input(root, "password").value = "Correct-Horse-9";
    await submit(root, "sign-in-form");
    expect(root.dataset.screen).toBe("confirm");
    input(root, "code").value = " 123456 ";
    await submit(root, "confirm-form");
    expect(backend.calls.at(-1)).toEqual({ command: "confirm_sign_up", args: { username: "ada@example.com", code: "123456" } });
    expect(app.current).toMatchObject({ name: "signIn", username: "ada@example.com" });
    expect(document.activeElement).toBe(input(root, "password"));
  });

  it("signs up with the e-mail as username and says where the code went", async () => {
    const backend = new FakeBackend({
      restore_session: () => null,
      sign_up: () => ({ confirmed: false, delivery: { destination: "a***@e***", medium: "email" } }),
    });
    await new App(root, backend).start();
    root.querySelector<HTMLButtonElement>("[data-testid=go-sign-up]")!.click();
    input(root, "email").value = "ada@example.com";
    input(root, "password").value = "Correct-Horse-9";
    input(root, "confirm").value = "Correct-Horse-9";
    await submit(root, "sign-up-form");
    expect(backend.calls.at(-1)).toEqual({ command: "sign_up", args: { email: "ada@example.com", password: "Correct-Horse-9" } });
    expect(root.dataset.screen).toBe("confirm");
    expect(root.textContent).toContain("We sent a 6-digit code by e-mail to a***@e***.");
  });

  it("runs the account menu from the keyboard and signs out", async () => {
    const backend = new FakeBackend({ restore_session: () => who, sign_out: () => null });
    await new App(root, backend).start();
    const button = root.querySelector<HTMLButtonElement>("[data-testid=account-button]")!;
    button.click();
    const menu = root.querySelector<HTMLElement>("[role=menu]")!;
    expect(menu.hidden).toBe(false);
    expect(button.getAttribute("aria-expanded")).toBe("true");
    expect(document.activeElement?.textContent).toBe("Refresh session");
    menu.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    expect(document.activeElement?.textContent).toBe("Security");
    menu.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(menu.hidden).toBe(true);
    expect(document.activeElement).toBe(button);
    button.click();
    root.querySelector<HTMLButtonElement>("[data-testid=menu-sign-out]")!.click();
    await flush();
    expect(root.dataset.screen).toBe("signIn");
    expect(root.textContent).toContain("Signed out.");
  });

  it("returns to sign-in when an account action finds the session revoked", async () => {
    const backend = new FakeBackend({
      restore_session: () => who,
      refresh: reject({ code: "token_revoked", message: "the sign-in was revoked; sign in again" }),
    });
    await new App(root, backend).start();
    root.querySelector<HTMLButtonElement>("[data-testid=account-button]")!.click();
    root.querySelector<HTMLButtonElement>("[data-testid=menu-refresh]")!.click();
    await flush();
    expect(root.dataset.screen).toBe("signIn");
    expect(root.textContent).toContain("You were signed out, perhaps on another device.");
  });

  it("shows the backend in settings and goes back", async () => {
    const backend = new FakeBackend({
      restore_session: () => null,
      backend_info: () => ({
        kind: "localCloud", endpoint: "http://127.0.0.1:4566", region: "us-east-1", userPoolId: "us-east-1_A",
        clientId: "c", configPath: "/data/coffer.toml", configOrigin: "local cloud demo setup", dataDir: "/data",
      }),
    });
    await new App(root, backend).start();
    root.querySelector<HTMLButtonElement>(".auth-footer button")!.click();
    await flush();
    expect(root.dataset.screen).toBe("settings");
    expect(root.querySelector("[data-testid=backend-kind]")?.textContent).toBe("Local cloud");
    expect(root.querySelector("[data-testid=backend-endpoint]")?.textContent).toBe("http://127.0.0.1:4566");
    root.querySelector<HTMLButtonElement>("[data-testid=settings-back]")!.click();
    expect(root.dataset.screen).toBe("signIn");
  });

  it("shows a start-up failure with the reason", async () => {
    const backend = new FakeBackend({
      restore_session: reject({ code: "local_cloud_port_taken", message: "127.0.0.1:4566 is in use by another program" }),
    });
    await new App(root, backend).start();
    expect(root.dataset.screen).toBe("startupError");
    expect(root.textContent).toContain("The local cloud cannot start: 127.0.0.1:4566 is in use");
  });
});

describe("formatting", () => {
  const now = new Date("2030-01-01T00:00:00Z");
  it("says how far away a time is", () => {
    expect(relativeTime(new Date("2030-01-01T00:00:30Z"), now)).toBe("in 30 seconds");
    expect(relativeTime(new Date("2030-01-01T00:01:00Z"), now)).toBe("in 1 minute");
    expect(relativeTime(new Date("2030-01-01T02:00:00Z"), now)).toBe("in 2 hours");
    expect(relativeTime(new Date("2029-12-31T23:55:00Z"), now)).toBe("5 minutes ago");
  });
  it("describes an expired session as refreshed on next use", () => {
    expect(expiryText("2029-12-31T23:00:00Z", now)).toBe("expired 1 hour ago; refreshed on next use");
    expect(expiryText("garbage", now)).toBe("unknown");
  });
  it("takes the avatar letter from the e-mail, else the username", () => {
    expect(initial({ email: "ada@example.com", username: "x" })).toBe("A");
    expect(initial({ email: null, username: "bob" })).toBe("B");
  });
});

describe("fields", () => {
  it("clear their error as soon as the user types again", async () => {
    await new App(root, new FakeBackend({ restore_session: () => null })).start();
    await submit(root, "sign-in-form");
    const username = input(root, "username");
    expect(username.getAttribute("aria-invalid")).toBe("true");
    username.value = "a";
    username.dispatchEvent(new Event("input"));
    expect(username.hasAttribute("aria-invalid")).toBe(false);
    expect(root.querySelector<HTMLElement>(`#${username.id}-error`)!.hidden).toBe(true);
  });
});
