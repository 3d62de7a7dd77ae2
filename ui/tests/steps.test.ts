// The sign-in steps, password reset and account pages, rendered in a DOM with a fake backend.
import { beforeEach, describe, expect, it } from "vitest";
import { App } from "../src/app";
import type { ArgsOf, Backend, CommandName, ResultOf } from "../src/ipc/backend";
import type { CommandError, UploadEvent, WhoAmIView } from "../src/ipc/bindings";
import { groupedSecret, qrDataUrl } from "../src/views/totp";
import { mfaStatusText } from "../src/views/security";
import { sortDevices } from "../src/views/devices";

const who: WhoAmIView = { username: "0b1c-uuid", sub: "sub-123", email: "ada@example.com", expiresAt: "2030-01-01T01:00:00Z" };
const setup = { account: "ada@example.com", secret: "JBSWY3DPEHPK3PXPJBSWY3DP", otpauthUri: "otpauth://totp/Coffer:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DP&issuer=Coffer", qrSvg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>' };

type Handler = (args: unknown) => unknown;
class FakeBackend implements Backend {
  calls: { command: string; args: unknown }[] = [];
  private readonly handlers: Partial<Record<CommandName, Handler>>;
  constructor(handlers: Partial<Record<CommandName, Handler>>) {
    // No guest files to move after a sign-in unless a test says otherwise.
    this.handlers = { adopt_guest_files: () => null, ...handlers };
  }
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
  commands(): string[] {
    return this.calls.map((call) => call.command);
  }
}

const flush = async () => {
  for (let i = 0; i < 4; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};
const q = <T extends Element = HTMLElement>(root: HTMLElement, css: string): T => {
  const element = root.querySelector<T>(css);
  if (!element) throw new Error(`no ${css}`);
  return element;
};
const input = (root: HTMLElement, name: string) => q<HTMLInputElement>(root, `input[name="${name}"]`);
async function submit(root: HTMLElement, testid: string): Promise<void> {
  q<HTMLFormElement>(root, `[data-testid=${testid}]`).requestSubmit();
  await flush();
}
async function signIn(root: HTMLElement, remember = false): Promise<void> {
  input(root, "username").value = "ada@example.com";
  input(root, "password").value = "Correct-Horse-9";
  q<HTMLInputElement>(root, "[data-testid=remember-device]").checked = remember;
  await submit(root, "sign-in-form");
}

let root: HTMLElement;
beforeEach(() => {
  document.body.innerHTML = '<div id="app"></div>';
  root = document.getElementById("app")!;
});

describe("MFA code step", () => {
  it("asks for the TOTP code, keeps the step on a wrong code, and signs in", async () => {
    let attempts = 0;
    const backend = new FakeBackend({
      restore_session: () => null,
      sign_in: () => ({ step: "mfaCode", kind: "totp", delivery: null }),
      answer_mfa_code: () => {
        attempts += 1;
        if (attempts === 1) throw { code: "code_mismatch", message: "the verification code is wrong", stepKept: true } satisfies CommandError;
        return { step: "signedIn", who, device: "remembered" };
      },
    });
    await new App(root, backend).start();
    await signIn(root, true);
    expect(backend.calls.find((call) => call.command === "sign_in")).toEqual({ command: "sign_in", args: { username: "ada@example.com", password: "Correct-Horse-9", rememberDevice: true } });
    expect(root.dataset.screen).toBe("mfaCode");
    const code = input(root, "code");
    expect(code.getAttribute("autocomplete")).toBe("one-time-code");
    expect(code.getAttribute("inputmode")).toBe("numeric");
    expect(document.activeElement).toBe(code);
    expect(root.textContent).toContain("authenticator app");

    code.value = "12345";
    await submit(root, "mfa-form");
    expect(root.textContent).toContain("The code is 6 digits.");
    expect(backend.commands()).not.toContain("answer_mfa_code");

    code.value = "111111";
    await submit(root, "mfa-form");
    expect(root.dataset.screen).toBe("mfaCode");
    expect(code.getAttribute("aria-invalid")).toBe("true");
    expect(root.textContent).toContain("Enter the code your authenticator app shows now");

    code.value = "222222";
    await submit(root, "mfa-form");
    expect(backend.calls.at(-2)).toEqual({ command: "answer_mfa_code", args: { code: "222222" } });
    // Signed in: the app then moves any guest files of this device (none here).
    expect(backend.calls.at(-1)?.command).toBe("adopt_guest_files");
    expect(root.dataset.screen).toBe("home");
    expect(root.textContent).toContain("This device is remembered");
  });

  it("accepts a pasted code with spaces and submits it at once", async () => {
    const backend = new FakeBackend({
      restore_session: () => null,
      sign_in: () => ({ step: "mfaCode", kind: "email", delivery: { destination: "a***@e***", medium: "email" } }),
      answer_mfa_code: () => ({ step: "signedIn", who, device: "notRequested" }),
    });
    await new App(root, backend).start();
    await signIn(root);
    expect(root.textContent).toContain("We sent a 6-digit code by e-mail to a***@e***.");
    const code = input(root, "code");
    code.dispatchEvent(new Event("paste"));
    code.value = "123 456";
    code.dispatchEvent(new Event("input"));
    expect(code.value).toBe("123456");
    await flush();
    expect(backend.calls.at(-2)).toEqual({ command: "answer_mfa_code", args: { code: "123456" } });
    // Signed in: the app then moves any guest files of this device (none here).
    expect(backend.calls.at(-1)?.command).toBe("adopt_guest_files");
    expect(root.dataset.screen).toBe("home");
  });

  it("goes back to sign-in with a clear message when the step expired", async () => {
    const backend = new FakeBackend({
      restore_session: () => null,
      sign_in: () => ({ step: "mfaCode", kind: "totp", delivery: null }),
      answer_mfa_code: () => {
        throw { code: "session_expired", message: "the sign-in has expired; sign in again", stepKept: false } satisfies CommandError;
      },
    });
    await new App(root, backend).start();
    await signIn(root);
    input(root, "code").value = "123456";
    await submit(root, "mfa-form");
    expect(root.dataset.screen).toBe("signIn");
    expect(input(root, "username").value).toBe("ada@example.com");
    expect(root.textContent).toContain("This sign-in timed out");
  });

  it("cancels the sign-in", async () => {
    const backend = new FakeBackend({
      restore_session: () => null,
      sign_in: () => ({ step: "mfaCode", kind: "totp", delivery: null }),
      cancel_sign_in: () => null,
    });
    await new App(root, backend).start();
    await signIn(root);
    q<HTMLButtonElement>(root, "[data-testid=cancel-sign-in]").click();
    await flush();
    expect(backend.commands()).toContain("cancel_sign_in");
    expect(root.dataset.screen).toBe("signIn");
  });
});

describe("other sign-in steps", () => {
  it("chooses a factor with the keyboard-reachable radio group", async () => {
    const backend = new FakeBackend({
      restore_session: () => null,
      sign_in: () => ({ step: "selectMfa", options: ["totp", "email"] }),
      choose_mfa: () => ({ step: "mfaCode", kind: "email", delivery: { destination: "a***@e***", medium: "email" } }),
    });
    await new App(root, backend).start();
    await signIn(root);
    expect(root.dataset.screen).toBe("selectMfa");
    const radios = [...root.querySelectorAll<HTMLInputElement>("input[name=mfaKind]")];
    expect(radios.map((radio) => radio.value)).toEqual(["totp", "email"]);
    expect(radios[0]!.checked).toBe(true);
    radios[1]!.checked = true;
    await submit(root, "select-mfa-form");
    expect(backend.calls.at(-1)).toEqual({ command: "choose_mfa", args: { kind: "email" } });
    expect(root.dataset.screen).toBe("mfaCode");
  });

  it("sets up the authenticator during sign-in: QR image, key for typing, first code", async () => {
    const backend = new FakeBackend({
      restore_session: () => null,
      sign_in: () => ({ step: "setUpTotp", setup }),
      answer_totp_setup: () => ({ step: "signedIn", who, device: "notRequested" }),
    });
    await new App(root, backend).start();
    await signIn(root);
    expect(root.dataset.screen).toBe("totpSetup");
    const qr = q<HTMLImageElement>(root, "[data-testid=totp-qr]");
    expect(qr.getAttribute("src")).toBe(qrDataUrl(setup.qrSvg));
    expect(qr.getAttribute("alt")).toContain("QR code");
    expect(q<HTMLInputElement>(root, "[data-testid=totp-secret]").value).toBe("JBSW Y3DP EHPK 3PXP JBSW Y3DP");
    input(root, "code").value = "654321";
    await submit(root, "totp-setup-form");
    expect(backend.calls.at(-2)).toEqual({ command: "answer_totp_setup", args: { code: "654321" } });
    // Signed in: the app then moves any guest files of this device (none here).
    expect(backend.calls.at(-1)?.command).toBe("adopt_guest_files");
    expect(root.dataset.screen).toBe("home");
  });

  it("asks a new password and the required attributes", async () => {
    const backend = new FakeBackend({
      restore_session: () => null,
      sign_in: () => ({ step: "newPassword", requiredAttributes: ["name"] }),
      answer_new_password: () => ({ step: "signedIn", who, device: "notRequested" }),
    });
    await new App(root, backend).start();
    await signIn(root);
    expect(root.dataset.screen).toBe("newPassword");
    input(root, "password").value = "Brand-New-7";
    input(root, "confirm").value = "Brand-New-7";
    await submit(root, "new-password-form");
    expect(root.textContent).toContain("Enter your full name.");
    expect(backend.commands()).not.toContain("answer_new_password");
    input(root, "attr:name").value = "Ada Lovelace";
    await submit(root, "new-password-form");
    expect(backend.calls.at(-2)).toEqual({ command: "answer_new_password", args: { password: "Brand-New-7", attributes: { name: "Ada Lovelace" } } });
    // Signed in: the app then moves any guest files of this device (none here).
    expect(backend.calls.at(-1)?.command).toBe("adopt_guest_files");
    expect(root.dataset.screen).toBe("home");
  });
});

describe("setting up a second factor during sign-in", () => {
  const codeSent = { step: "mfaCode", kind: "email", delivery: { destination: "o***@e***", medium: "email" } } as const;

  it("chooses e-mail, shows refused addresses in words on the field, then asks for the mailed code", async () => {
    let attempts = 0;
    const backend = new FakeBackend({
      restore_session: () => null,
      sign_in: () => ({ step: "selectMfaSetup", options: ["totp", "email"] }),
      choose_mfa_setup: () => ({ step: "setUpEmailMfa" }),
      answer_email_mfa_setup: () => {
        attempts += 1;
        if (attempts === 1) throw { code: "username_exists", message: "an account with this username already exists", stepKept: true } satisfies CommandError;
        if (attempts === 2) throw { code: "invalid_parameter", message: "invalid request: Invalid email address format.", stepKept: true } satisfies CommandError;
        return codeSent;
      },
      answer_mfa_code: () => ({ step: "signedIn", who, device: "notRequested" }),
    });
    await new App(root, backend).start();
    await signIn(root);
    expect(root.dataset.screen).toBe("selectMfaSetup");
    expect(q(root, "#screen-title").textContent).toBe("Choose how to protect your account");
    const radios = [...root.querySelectorAll<HTMLInputElement>("input[name=mfaKind]")];
    expect(radios.map((radio) => radio.value)).toEqual(["totp", "email"]);
    expect(radios[0]!.checked).toBe(true);
    expect(q(root, "[data-testid=choose-email]").textContent).toContain("E-mail");
    radios[1]!.checked = true;
    await submit(root, "select-mfa-setup-form");
    expect(backend.calls.at(-1)).toEqual({ command: "choose_mfa_setup", args: { kind: "email" } });

    expect(root.dataset.screen).toBe("emailMfaSetup");
    const email = input(root, "email");
    expect(q(root, `label[for="${email.id}"]`).textContent).toBe("E-mail address for sign-in codes");
    expect(email.type).toBe("email");
    expect(email.value).toBe("ada@example.com");

    email.value = "olga@";
    await submit(root, "email-mfa-setup-form");
    expect(root.textContent).toContain("Enter an e-mail address like name@example.com.");
    expect(backend.commands()).not.toContain("answer_email_mfa_setup");

    email.value = "olga@example.com";
    await submit(root, "email-mfa-setup-form");
    expect(root.dataset.screen).toBe("emailMfaSetup");
    expect(email.value).toBe("olga@example.com");
    expect(email.getAttribute("aria-invalid")).toBe("true");
    expect(root.textContent).toContain("Another account already uses this e-mail address.");
    expect(root.textContent).not.toContain("Sign in instead");

    email.value = "olga@example.co";
    await submit(root, "email-mfa-setup-form");
    expect(email.value).toBe("olga@example.co");
    expect(root.textContent).toContain("The user pool refused this address (Invalid email address format). Check it and try again.");

    email.value = " olga@example.com ";
    await submit(root, "email-mfa-setup-form");
    expect(backend.calls.at(-1)).toEqual({ command: "answer_email_mfa_setup", args: { email: "olga@example.com" } });
    expect(root.dataset.screen).toBe("mfaCode");
    expect(q(root, "[data-testid=mfa-form]").dataset.kind).toBe("email");
    expect(root.textContent).toContain("We sent a 6-digit code by e-mail to o***@e***.");
    input(root, "code").value = "123456";
    await submit(root, "mfa-form");
    expect(root.dataset.screen).toBe("home");
  });

  it("chooses the authenticator app and shows its setup", async () => {
    const backend = new FakeBackend({
      restore_session: () => null,
      sign_in: () => ({ step: "selectMfaSetup", options: ["totp", "email"] }),
      choose_mfa_setup: () => ({ step: "setUpTotp", setup }),
    });
    await new App(root, backend).start();
    await signIn(root);
    await submit(root, "select-mfa-setup-form");
    expect(backend.calls.at(-1)).toEqual({ command: "choose_mfa_setup", args: { kind: "totp" } });
    expect(root.dataset.screen).toBe("totpSetup");
    expect(q<HTMLInputElement>(root, "[data-testid=totp-secret]").value).toBe("JBSW Y3DP EHPK 3PXP JBSW Y3DP");
  });

  it("keeps the address and says why when the service fails, and starts over when the step is gone", async () => {
    let attempts = 0;
    const backend = new FakeBackend({
      restore_session: () => null,
      sign_in: () => ({ step: "setUpEmailMfa" }),
      answer_email_mfa_setup: () => {
        attempts += 1;
        if (attempts === 1) throw { code: "too_many_requests", message: "too many requests", stepKept: false } satisfies CommandError;
        throw { code: "session_expired", message: "the sign-in has expired; sign in again", stepKept: false } satisfies CommandError;
      },
    });
    await new App(root, backend).start();
    await signIn(root);
    expect(root.dataset.screen).toBe("emailMfaSetup");
    input(root, "email").value = "other@example.com";
    await submit(root, "email-mfa-setup-form");
    // The step is gone after either error: back to sign-in, with the reason.
    expect(root.dataset.screen).toBe("signIn");
    expect(root.textContent).toContain("Too many attempts.");
    await signIn(root);
    input(root, "email").value = "other@example.com";
    await submit(root, "email-mfa-setup-form");
    expect(root.dataset.screen).toBe("signIn");
    expect(root.textContent).toContain("This sign-in timed out");
  });

  it("shows an error that is not about the address in the banner, keeping the address", async () => {
    const backend = new FakeBackend({
      restore_session: () => null,
      sign_in: () => ({ step: "setUpEmailMfa" }),
      answer_email_mfa_setup: () => {
        throw { code: "endpoint_unreachable", message: "cannot reach http://127.0.0.1:4566", stepKept: true } satisfies CommandError;
      },
    });
    await new App(root, backend).start();
    await signIn(root);
    input(root, "email").value = "other@example.com";
    await submit(root, "email-mfa-setup-form");
    expect(root.dataset.screen).toBe("emailMfaSetup");
    expect(input(root, "email").value).toBe("other@example.com");
    expect(q(root, ".banner-error").textContent).toContain("Cannot reach the sign-in service (http://127.0.0.1:4566)");
  });
});

describe("forgotten password", () => {
  it("requests a code, then sets the new password and returns to sign-in", async () => {
    const backend = new FakeBackend({
      restore_session: () => null,
      forgot_password: () => ({ destination: "a***@e***", medium: "email" }),
      confirm_forgot_password: () => null,
    });
    await new App(root, backend).start();
    input(root, "username").value = "ada@example.com";
    q<HTMLButtonElement>(root, "[data-testid=go-forgot-password]").click();
    expect(root.dataset.screen).toBe("forgotPassword");
    expect(input(root, "username").value).toBe("ada@example.com");
    await submit(root, "forgot-form");
    expect(backend.calls.at(-1)).toEqual({ command: "forgot_password", args: { username: "ada@example.com" } });
    expect(root.dataset.screen).toBe("resetPassword");
    expect(root.textContent).toContain("a***@e***");
    input(root, "code").value = "123456";
    input(root, "password").value = "Brand-New-7";
    input(root, "confirm").value = "Brand-New-7";
    await submit(root, "reset-form");
    expect(backend.calls.at(-1)).toEqual({ command: "confirm_forgot_password", args: { username: "ada@example.com", code: "123456", password: "Brand-New-7" } });
    expect(root.dataset.screen).toBe("signIn");
    expect(root.textContent).toContain("Password changed.");
  });
});

describe("security and devices pages", () => {
  it("shows the MFA status, enrols an authenticator (wrong code first) and saves a preference", async () => {
    let confirmAttempts = 0;
    let settings = { enabled: [] as ("totp" | "email")[], preferred: null as "totp" | "email" | null };
    const backend = new FakeBackend({
      restore_session: () => who,
      mfa_settings: () => settings,
      begin_totp_setup: () => setup,
      confirm_totp_setup: () => {
        confirmAttempts += 1;
        if (confirmAttempts === 1) throw { code: "code_mismatch", message: "wrong", stepKept: true } satisfies CommandError;
        settings = { enabled: ["totp"], preferred: "totp" };
        return null;
      },
      set_mfa_preference: () => null,
    });
    await new App(root, backend).start();
    q<HTMLButtonElement>(root, "[data-testid=nav-security]").click();
    await flush();
    expect(root.dataset.screen).toBe("security");
    expect(q(root, "[data-testid=mfa-status]").textContent).toBe("Off");
    expect(q<HTMLInputElement>(root, "[data-testid=prefer-totp] input").disabled).toBe(true);

    q<HTMLButtonElement>(root, "[data-testid=setup-totp]").click();
    await flush();
    expect(root.dataset.screen).toBe("totpEnroll");
    input(root, "code").value = "111111";
    await submit(root, "totp-enroll-form");
    expect(root.dataset.screen).toBe("totpEnroll");
    expect(input(root, "code").getAttribute("aria-invalid")).toBe("true");
    input(root, "code").value = "222222";
    await submit(root, "totp-enroll-form");
    expect(root.dataset.screen).toBe("security");
    expect(root.textContent).toContain("Authenticator app set up.");
    expect(q(root, "[data-testid=mfa-status]").textContent).toBe("On");

    q<HTMLInputElement>(root, "[data-testid=prefer-email] input").checked = true;
    await submit(root, "preference-form");
    expect(backend.calls.find((call) => call.command === "set_mfa_preference")?.args).toEqual({ preference: "email" });
  });

  it("says the current password is wrong on its own field", async () => {
    const backend = new FakeBackend({
      restore_session: () => who,
      mfa_settings: () => ({ enabled: [], preferred: null }),
      change_password: () => {
        throw { code: "wrong_username_or_password", message: "incorrect username or password" } satisfies CommandError;
      },
    });
    await new App(root, backend).start();
    q<HTMLButtonElement>(root, "[data-testid=nav-security]").click();
    await flush();
    input(root, "current").value = "Old-Pass-1";
    input(root, "password").value = "Brand-New-7";
    input(root, "confirm").value = "Brand-New-7";
    await submit(root, "change-password-form");
    expect(backend.calls.at(-1)).toEqual({ command: "change_password", args: { currentPassword: "Old-Pass-1", newPassword: "Brand-New-7" } });
    expect(input(root, "current").getAttribute("aria-invalid")).toBe("true");
    expect(root.textContent).toContain("The current password is not right.");
  });

  it("lists devices with this one first and forgets it", async () => {
    let devices = [
      { deviceKey: "us-east-1_other", name: "Laptop", remembered: true, created: "2029-12-01T00:00:00Z", lastAuthenticated: "2029-12-31T00:00:00Z", isThisDevice: false },
      { deviceKey: "us-east-1_this", name: "Coffer on this computer", remembered: true, created: "2029-12-31T23:00:00Z", lastAuthenticated: null, isThisDevice: true },
    ];
    const backend = new FakeBackend({
      restore_session: () => who,
      list_devices: () => devices,
      forget_device: (args) => {
        devices = devices.filter((device) => !device.isThisDevice);
        return (args as { deviceKey: string | null }).deviceKey ?? "us-east-1_this";
      },
    });
    await new App(root, backend, () => new Date("2030-01-01T00:00:00Z")).start();
    q<HTMLButtonElement>(root, "[data-testid=nav-devices]").click();
    await flush();
    const rows = [...root.querySelectorAll<HTMLElement>("[data-testid=device]")];
    expect(rows.map((row) => row.dataset.thisDevice)).toEqual(["true", "false"]);
    expect(rows[0]!.textContent).toContain("This device");
    expect(rows[0]!.textContent).toContain("Last sign-in 1 hour ago");
    q<HTMLButtonElement>(rows[0]!, "[data-testid=forget-device]").click();
    await flush();
    expect(backend.calls.find((call) => call.command === "forget_device")?.args).toEqual({ deviceKey: null });
    expect(root.querySelectorAll("[data-testid=device]").length).toBe(1);
    expect(root.textContent).toContain("This device is forgotten");
  });
});

describe("helpers", () => {
  it("groups the key and embeds the QR code as an image", () => {
    expect(groupedSecret("ABCDEFGHIJ")).toBe("ABCD EFGH IJ");
    expect(qrDataUrl("<svg/>")).toBe(`data:image/svg+xml;base64,${btoa("<svg/>")}`);
  });
  it("describes MFA settings", () => {
    expect(mfaStatusText({ enabled: [], preferred: null })).toMatch(/^Off/);
    expect(mfaStatusText({ enabled: ["totp", "email"], preferred: "totp" })).toBe(
      "On: after your password, Coffer asks for a code from your authenticator app. Also available: E-mail.",
    );
  });
  it("sorts devices: this one first, then the most recent", () => {
    const base = { name: null, remembered: true, created: null, isThisDevice: false };
    const sorted = sortDevices([
      { ...base, deviceKey: "old", lastAuthenticated: "2029-01-01T00:00:00Z" },
      { ...base, deviceKey: "new", lastAuthenticated: "2029-06-01T00:00:00Z" },
      { ...base, deviceKey: "this", lastAuthenticated: null, isThisDevice: true },
    ]);
    expect(sorted.map((device) => device.deviceKey)).toEqual(["this", "new", "old"]);
  });
});
