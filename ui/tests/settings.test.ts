// The settings screen's "Use my own backend…": summary, confirm, cancel, refusals, going back.
import { beforeEach, describe, expect, it } from "vitest";
import { App } from "../src/app";
import type { ArgsOf, Backend, CommandName, ResultOf } from "../src/ipc/backend";
import type { BackendFileView, BackendView, CommandError, UploadEvent, WhoAmIView } from "../src/ipc/bindings";

const who: WhoAmIView = { username: "u-1", sub: "s-1", email: "ada@example.com", expiresAt: "2030-01-01T01:00:00Z" };

const local: BackendView = {
  kind: "localCloud", endpoint: "http://127.0.0.1:4566", region: "us-east-1", userPoolId: "us-east-1_Local",
  clientId: "c", configPath: "/data/coffer.toml", configOrigin: "local cloud demo setup", dataDir: "/data",
  hostedUi: true, hostedUiProviders: ["COGNITO", "LocalIdP"], changeUnavailable: null,
};
const own: BackendView = {
  kind: "configFile", endpoint: "https://cognito-idp.eu-west-1.amazonaws.com", region: "eu-west-1",
  userPoolId: "eu-west-1_AmpPool", clientId: "ampclient1", configPath: "/home/ada/.config/coffer/coffer.toml",
  configOrigin: "platform config directory", dataDir: null, hostedUi: false, hostedUiProviders: [], changeUnavailable: null,
};
const file: BackendFileView = {
  file: "/home/ada/amplify_outputs.json", format: "amplifyOutputs", savedTo: "/home/ada/.config/coffer/coffer.toml",
  region: "eu-west-1", userPoolId: "eu-west-1_AmpPool", clientId: "ampclient1",
  identityPoolId: "eu-west-1:0a1b2c3d-0000-4000-8000-000000000000", bucket: "amp-bucket",
  hostedUiDomain: "https://amp.auth.eu-west-1.amazoncognito.com", endpoint: "https://cognito-idp.eu-west-1.amazonaws.com",
  awsEndpoints: true,
};

type Handler = (args: unknown) => unknown;

class FakeBackend implements Backend {
  calls: string[] = [];
  constructor(private readonly handlers: Partial<Record<CommandName, Handler>>) {}
  async call<K extends CommandName>(command: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
    this.calls.push(command);
    const handler = this.handlers[command];
    if (!handler) throw { code: "internal_error", message: `unexpected ${command}` } satisfies CommandError;
    return (await handler(args)) as ResultOf<K>;
  }
  async watchUploads(): Promise<UploadEvent[]> {
    return [];
  }
}

const flush = async () => {
  for (let i = 0; i < 4; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};
const byTestId = (id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const click = async (id: string) => {
  const button = byTestId(id);
  if (!button) throw new Error(`no ${id} on ${root.dataset.screen}: ${root.textContent}`);
  button.click();
  await flush();
};

let root: HTMLElement;
beforeEach(() => {
  document.body.innerHTML = '<div id="app"></div>';
  root = document.getElementById("app")!;
});

/** Signed in on the local cloud, then on the settings screen. */
async function onSettings(handlers: Partial<Record<CommandName, Handler>>, backend = local): Promise<FakeBackend> {
  const fake = new FakeBackend({ restore_session: () => who, backend_info: () => backend, ...handlers });
  await new App(root, fake).start();
  await flush();
  await click("account-button");
  await click("menu-settings");
  expect(root.dataset.screen).toBe("settings");
  return fake;
}

describe("Use my own backend", () => {
  it("shows the summary of the picked file, then switches, signed out, on confirmation", async () => {
    let current = local;
    const fake = await onSettings({
      backend_info: () => current,
      choose_backend_file: () => file,
      use_chosen_backend: () => {
        current = own;
        return own;
      },
    });
    expect(byTestId("use-local-cloud")).toBeNull();
    await click("choose-backend");

    expect(byTestId("backend-change")?.querySelector("h2")?.textContent).toBe("Check this Amplify backend");
    expect(document.activeElement?.id).toBe("change-title");
    expect(byTestId("chosen-region")?.textContent).toBe("eu-west-1");
    expect(byTestId("chosen-pool")?.textContent).toBe("eu-west-1_AmpPool");
    expect(byTestId("chosen-client")?.textContent).toBe("ampclient1");
    expect(byTestId("chosen-identity-pool")?.textContent).toBe(file.identityPoolId);
    expect(byTestId("chosen-bucket")?.textContent).toBe("amp-bucket");
    expect(byTestId("chosen-hosted-ui")?.textContent).toBe(file.hostedUiDomain);
    expect(byTestId("chosen-endpoint")).toBeNull(); // AWS itself
    expect(byTestId("chosen-saved-to")?.textContent).toBe(file.savedTo);
    // The current backend still shows until the person confirms.
    expect(byTestId("backend-pool")?.textContent).toBe("us-east-1_Local");
    expect(fake.calls).not.toContain("use_chosen_backend");

    await click("confirm-backend");
    expect(fake.calls.at(-1)).toBe("use_chosen_backend");
    expect(root.dataset.screen).toBe("settings");
    expect(byTestId("backend-kind")?.textContent).toBe("Config file");
    expect(byTestId("backend-pool")?.textContent).toBe("eu-west-1_AmpPool");
    expect(byTestId("backend-notices")?.textContent).toContain("Coffer now uses your backend: user pool eu-west-1_AmpPool");
    expect(byTestId("backend-summary")).toBeNull();
    // Signed out: no account menu; back leads to sign-in.
    expect(byTestId("account-button")).toBeNull();
    await click("settings-back");
    expect(root.dataset.screen).toBe("signIn");
  });

  it("after a switch, sign-in offers the new backend's browser sign-ins, not the old one's", async () => {
    let current = local;
    const fake = new FakeBackend({
      restore_session: () => null,
      backend_info: () => current,
      choose_backend_file: () => file,
      use_chosen_backend: () => {
        current = own;
        return own;
      },
    });
    await new App(root, fake).start();
    await flush();
    expect(root.querySelectorAll(".hosted-ui-choices button")).toHaveLength(2);
    root.querySelector<HTMLButtonElement>(".auth-footer button")!.click();
    await flush();
    await click("choose-backend");
    await click("confirm-backend");
    await click("settings-back");
    expect(root.dataset.screen).toBe("signIn");
    expect(root.querySelectorAll(".hosted-ui-choices button")).toHaveLength(0);
  });

  it("says nothing and changes nothing when the dialog is dismissed; cancel drops the summary", async () => {
    let answer: BackendFileView | null = null;
    const fake = await onSettings({ choose_backend_file: () => answer, cancel_backend_choice: () => null });
    await click("choose-backend");
    expect(byTestId("backend-summary")).toBeNull();
    expect(byTestId("backend-notices")?.textContent).toBe("");
    answer = { ...file, format: "cofferToml", awsEndpoints: false, endpoint: "http://127.0.0.1:9" };
    await click("choose-backend");
    expect(byTestId("backend-change")?.querySelector("h2")?.textContent).toBe("Check this backend");
    expect(byTestId("chosen-endpoint")?.textContent).toBe("http://127.0.0.1:9");
    await click("cancel-backend");
    expect(fake.calls.at(-1)).toBe("cancel_backend_choice");
    expect(byTestId("backend-summary")).toBeNull();
    expect(byTestId("choose-backend")).not.toBeNull();
  });

  it.each([
    [{ code: "config_not_json", message: "/x/amplify_outputs.json is not JSON (syntax error at line 1, column 3)" }, "This file is not valid JSON, so it is not an amplify_outputs.json (syntax error at line 1, column 3)."],
    [{ code: "config_missing_field", message: "invalid config /x/amplify_outputs.json: `auth.user_pool_id` is missing" }, "The file has no Cognito user pool: `auth.user_pool_id` is missing."],
    [{ code: "config_not_toml", message: "not a TOML config /x/coffer.toml:1:1: invalid key" }, "This file is not a TOML config: /x/coffer.toml:1:1: invalid key"],
    [{ code: "config_has_client_secret", message: "…" }, "This config has an app client secret."],
  ])("shows a refused file in words (%o)", async (error, text) => {
    await onSettings({ choose_backend_file: () => Promise.reject(error) });
    await click("choose-backend");
    expect(byTestId("backend-notices")?.textContent).toContain(text);
    expect(byTestId("backend-summary")).toBeNull();
    expect(byTestId("backend-kind")?.textContent).toBe("Local cloud");
  });

  it("shows a failed switch and forgets the summary", async () => {
    await onSettings({
      choose_backend_file: () => file,
      use_chosen_backend: () => Promise.reject({ code: "config_write_failed", message: "cannot save the config to /x: permission denied" }),
    });
    await click("choose-backend");
    await click("confirm-backend");
    expect(byTestId("backend-notices")?.textContent).toBe("Coffer could not save the config: cannot save the config to /x: permission denied");
    expect(byTestId("backend-summary")).toBeNull();
    expect(byTestId("backend-pool")?.textContent).toBe("us-east-1_Local");
  });

  it("goes back to the local cloud from a config file", async () => {
    const fake = await onSettings({ use_local_cloud: () => local }, own);
    await click("use-local-cloud");
    expect(fake.calls.at(-1)).toBe("use_local_cloud");
    expect(byTestId("backend-kind")?.textContent).toBe("Local cloud");
    expect(byTestId("backend-notices")?.textContent).toContain("Coffer is back on the local cloud");
    expect(byTestId("use-local-cloud")).toBeNull();
  });

  it("explains why the backend cannot change when the environment names the config", async () => {
    await onSettings({}, { ...own, configOrigin: "named by COFFER_CONFIG", changeUnavailable: "COFFER_CONFIG names this app's config (/x.toml); change the backend there" });
    expect(byTestId("backend-change-unavailable")?.textContent).toBe("COFFER_CONFIG names this app's config (/x.toml); change the backend there.");
    expect(byTestId("choose-backend")).toBeNull();
    expect(byTestId("use-local-cloud")).toBeNull();
  });

  it("offers the local cloud when the saved config stops the app from starting", async () => {
    const fake = new FakeBackend({
      restore_session: () => Promise.reject({ code: "config_missing_field", message: "invalid config /c.toml: `user_pool_id` is missing" }),
      use_local_cloud: () => local,
    });
    await new App(root, fake).start();
    await flush();
    expect(root.dataset.screen).toBe("startupError");
    expect(root.textContent).toContain("The file has no Cognito user pool");
    await click("use-local-cloud");
    expect(root.dataset.screen).toBe("settings");
    expect(byTestId("backend-kind")?.textContent).toBe("Local cloud");
    await click("settings-back");
    expect(root.dataset.screen).toBe("signIn");
  });

  it("does not offer the local cloud for start-up failures that are not about the config", async () => {
    await new App(root, new FakeBackend({ restore_session: () => Promise.reject({ code: "local_cloud_port_taken", message: "taken" }) })).start();
    await flush();
    expect(byTestId("use-local-cloud")).toBeNull();
  });
});
