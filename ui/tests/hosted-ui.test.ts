import { beforeEach, describe, expect, it } from "vitest";
import { App } from "../src/app";
import type { ArgsOf, Backend, CommandName, ResultOf } from "../src/ipc/backend";
import type { BackendView, CommandError, SignInOutcome, UploadEvent, WhoAmIView } from "../src/ipc/bindings";

const who: WhoAmIView = { username: "0b1c-uuid", sub: "sub-123", email: "ada@example.com", expiresAt: "2030-01-01T01:00:00Z" };
const signedIn: SignInOutcome = { step: "signedIn", who, device: "notRequested" };

function backendView(providers: string[] | null): BackendView {
  return {
    kind: "localCloud",
    endpoint: "http://127.0.0.1:4566",
    region: "us-east-1",
    userPoolId: "us-east-1_x",
    clientId: "c",
    configPath: null,
    configOrigin: null,
    dataDir: null,
    hostedUi: providers !== null,
    hostedUiProviders: providers ?? [],
    changeUnavailable: null,
  };
}

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
    return [];
  }
  commands(): string[] {
    return this.calls.map((call) => call.command);
  }
}

/** A `sign_in_hosted_ui` that waits until the test settles it, like the real browser wait. */
function pendingSignIn() {
  let settle: { resolve: (outcome: SignInOutcome) => void; reject: (error: CommandError) => void } | undefined;
  const handler = () =>
    new Promise<SignInOutcome>((resolve, reject) => {
      settle = { resolve, reject };
    });
  return {
    handler,
    resolve: (outcome: SignInOutcome) => settle!.resolve(outcome),
    reject: (error: CommandError) => settle!.reject(error),
  };
}

const flush = async () => {
  for (let i = 0; i < 4; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};
const byTestId = (root: HTMLElement, id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const buttonLabels = (root: HTMLElement) =>
  [...root.querySelectorAll<HTMLButtonElement>(".hosted-ui-choices button")].map((button) => button.textContent);

let root: HTMLElement;
beforeEach(() => {
  document.body.innerHTML = '<div id="app"></div>';
  root = document.getElementById("app")!;
});

async function signInScreen(backend: FakeBackend): Promise<void> {
  await new App(root, backend).start();
  await flush();
  expect(root.dataset.screen).toBe("signIn");
}

describe("Continue with hosted UI", () => {
  it("offers the hosted UI and one button per configured provider other than COGNITO", async () => {
    await signInScreen(new FakeBackend({ restore_session: () => null, backend_info: () => backendView(["COGNITO", "LocalIdP"]) }));
    expect(buttonLabels(root)).toEqual(["Continue with hosted UI", "Continue with LocalIdP"]);
  });

  it("offers no browser sign-in when the backend has no hosted UI", async () => {
    await signInScreen(new FakeBackend({ restore_session: () => null, backend_info: () => backendView(null) }));
    expect(buttonLabels(root)).toEqual([]);
    expect(byTestId(root, "continue-as-guest")).not.toBeNull();
  });

  it("waits for the browser, then shows the signed-in home", async () => {
    const wait = pendingSignIn();
    const backend = new FakeBackend({
      restore_session: () => null,
      backend_info: () => backendView(["COGNITO", "LocalIdP"]),
      sign_in_hosted_ui: wait.handler,
    });
    await signInScreen(backend);
    byTestId(root, "continue-with-LocalIdP")!.click();
    await flush();
    expect(backend.calls.find((call) => call.command === "sign_in_hosted_ui")?.args).toEqual({ provider: "LocalIdP" });
    const waiting = byTestId(root, "hosted-ui-waiting")!;
    expect(waiting.hidden).toBe(false);
    expect(waiting.textContent).toContain("Waiting for your browser…");
    expect(root.querySelector<HTMLButtonElement>("[data-testid=sign-in-submit]")!.disabled).toBe(true);
    expect(document.activeElement).toBe(byTestId(root, "hosted-ui-cancel"));

    wait.resolve(signedIn);
    await flush();
    expect(root.dataset.screen).toBe("home");
    expect(root.querySelector("[data-testid=who-email]")?.textContent).toBe("ada@example.com");
  });

  it("cancels the wait and returns to the choices with a notice", async () => {
    const wait = pendingSignIn();
    const backend = new FakeBackend({
      restore_session: () => null,
      backend_info: () => backendView(["COGNITO"]),
      sign_in_hosted_ui: wait.handler,
      cancel_hosted_ui: () => {
        wait.reject({ code: "hosted_ui_cancelled", message: "the browser sign-in was cancelled" });
        return null;
      },
    });
    await signInScreen(backend);
    byTestId(root, "continue-with-hosted-ui")!.click();
    await flush();
    expect(backend.calls.find((call) => call.command === "sign_in_hosted_ui")?.args).toEqual({ provider: null });
    byTestId(root, "hosted-ui-cancel")!.click();
    await flush();
    expect(backend.commands()).toContain("cancel_hosted_ui");
    expect(root.dataset.screen).toBe("signIn");
    expect(byTestId(root, "hosted-ui-waiting")!.hidden).toBe(true);
    expect(buttonLabels(root)).toEqual(["Continue with hosted UI"]);
    expect(root.querySelector<HTMLButtonElement>("[data-testid=sign-in-submit]")!.disabled).toBe(false);
    expect(root.querySelector(".form-banner")?.textContent).toContain("Browser sign-in cancelled");
  });

  it.each([
    ["hosted_ui_timed_out", "the browser sign-in timed out", "did not come back in time"],
    ["hosted_ui_denied", "the sign-in was refused by the authorization server (access_denied)", "refused the sign-in (access_denied)"],
    ["hosted_ui_not_configured", "the hosted UI is not configured: the config has no [hosted_ui] section", "not set up for this backend"],
  ])("explains %s", async (code, message, expected) => {
    const backend = new FakeBackend({
      restore_session: () => null,
      backend_info: () => backendView(["COGNITO"]),
      sign_in_hosted_ui: () => Promise.reject({ code, message }),
    });
    await signInScreen(backend);
    byTestId(root, "continue-with-hosted-ui")!.click();
    await flush();
    expect(root.dataset.screen).toBe("signIn");
    expect(byTestId(root, "hosted-ui-waiting")!.hidden).toBe(true);
    expect(root.querySelector(".form-banner")?.textContent).toContain(expected);
  });
});
