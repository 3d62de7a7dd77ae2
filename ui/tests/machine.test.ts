import { describe, expect, it } from "vitest";
import type { BackendView, WhoAmIView } from "../src/ipc/bindings";
import { challengeLabel, deliveryText, initialScreen, mfaCodeHint, mfaKindLabel, transition, whoOf, type Screen } from "../src/logic/machine";

const who: WhoAmIView = { username: "u-1", sub: "s-1", email: "ada@example.com", expiresAt: "2030-01-01T00:00:00Z" };
const backend: BackendView = {
  kind: "localCloud", endpoint: "http://127.0.0.1:4566", region: "us-east-1", userPoolId: "us-east-1_A", clientId: "c",
  configPath: null, configOrigin: null, dataDir: null, hostedUi: false, hostedUiProviders: [], changeUnavailable: null,
};
const delivery = { destination: "a***@e***", medium: "email" };

describe("screen state machine", () => {
  it("starts on the restored session, or on sign-in", () => {
    expect(transition(initialScreen, { type: "started", who })).toEqual({ name: "home", who });
    expect(transition(initialScreen, { type: "started", who: null })).toEqual({ name: "signIn", username: "" });
    const error = { code: "config_invalid", message: "bad" };
    expect(transition(initialScreen, { type: "startFailed", error })).toEqual({ name: "startupError", error });
  });

  it("goes sign-up → confirm → sign-in (username kept) → home", () => {
    let screen: Screen = { name: "signUp" };
    screen = transition(screen, { type: "signedUp", username: "ada@example.com", confirmed: false, delivery });
    expect(screen).toEqual({ name: "confirm", username: "ada@example.com", delivery });
    screen = transition(screen, { type: "codeResent", delivery: null });
    expect(screen).toMatchObject({ name: "confirm", delivery, notice: { kind: "success" } });
    screen = transition(screen, { type: "confirmed", username: "ada@example.com" });
    expect(screen).toMatchObject({ name: "signIn", username: "ada@example.com", notice: { kind: "success" } });
    screen = transition(screen, { type: "signInAnswered", username: "ada@example.com", outcome: { step: "signedIn", who, device: "notRequested" } });
    expect(screen).toEqual({ name: "home", who });
  });

  it("skips the code screen when the pool confirms at once", () => {
    const screen = transition({ name: "signUp" }, { type: "signedUp", username: "a@b.co", confirmed: true, delivery: null });
    expect(screen).toMatchObject({ name: "signIn", username: "a@b.co" });
  });

  it("sends an unconfirmed sign-in to the code screen", () => {
    const screen = transition({ name: "signIn", username: "" }, { type: "notConfirmed", username: "a@b.co" });
    expect(screen).toMatchObject({ name: "confirm", username: "a@b.co", delivery: null, notice: { kind: "info" } });
  });

  it("shows a step it cannot answer yet instead of failing", () => {
    const screen = transition(
      { name: "signIn", username: "" },
      { type: "signInAnswered", username: "a@b.co", outcome: { step: "unsupported", challenge: "SOFTWARE_TOKEN_MFA" } },
    );
    expect(screen).toEqual({ name: "stepNotSupported", username: "a@b.co", challenge: "SOFTWARE_TOKEN_MFA" });
    expect(challengeLabel("SOFTWARE_TOKEN_MFA")).toBe("a code from your authenticator app");
    expect(challengeLabel("NEW_PASSWORD_REQUIRED")).toBe("choosing a new password");
    expect(challengeLabel("CUSTOM_CHALLENGE")).toContain("CUSTOM_CHALLENGE");
    expect(challengeLabel("MFA_SETUP (SMS_MFA)")).toBe("setting up multi-factor authentication");
    expect(challengeLabel("SetUpSms")).toBe("a step Coffer does not know yet (SetUpSms)");
  });

  it("moves through setting up a factor: choice, e-mail address, then the mailed code", () => {
    const signIn: Screen = { name: "signIn", username: "" };
    const username = "a@b.co";
    let screen = transition(signIn, { type: "signInAnswered", username, outcome: { step: "selectMfaSetup", options: ["totp", "email"] } });
    expect(screen).toEqual({ name: "selectMfaSetup", username, options: ["totp", "email"] });
    screen = transition(screen, { type: "signInAnswered", username, outcome: { step: "setUpEmailMfa" } });
    expect(screen).toEqual({ name: "emailMfaSetup", username });
    // A refused address stays on the form; a lost step goes back to sign-in.
    expect(transition(screen, { type: "stepRefused", username, error: { code: "username_exists", message: "", stepKept: true } })).toBe(screen);
    expect(transition(screen, { type: "stepRefused", username, error: { code: "session_expired", message: "", stepKept: false } })).toMatchObject({ name: "signIn", username });
    screen = transition(screen, { type: "signInAnswered", username, outcome: { step: "mfaCode", kind: "email", delivery } });
    expect(screen).toEqual({ name: "mfaCode", username, kind: "email", delivery });
  });

  it("signs out to sign-in with a notice that says where", () => {
    const home: Screen = { name: "home", who };
    expect(transition(home, { type: "signedOut", everywhere: false })).toMatchObject({ name: "signIn", notice: { text: "Signed out." } });
    expect(transition(home, { type: "signedOut", everywhere: true })).toMatchObject({ notice: { text: "Signed out on every device." } });
    const lost = transition(home, { type: "sessionLost", notice: { kind: "error", text: "expired" } });
    expect(lost).toEqual({ name: "signIn", username: "", notice: { kind: "error", text: "expired" } });
  });

  it("returns from settings to the screen it was opened from", () => {
    const home: Screen = { name: "home", who };
    const settings = transition(home, { type: "openSettings", backend });
    expect(settings).toEqual({ name: "settings", backend, back: home });
    expect(transition(settings, { type: "openSettings", backend })).toBe(settings);
    expect(transition(settings, { type: "closeSettings" })).toBe(home);
  });

  it("keeps a picked backend file on settings until it is confirmed or closed", () => {
    const home: Screen = { name: "home", who };
    const settings = transition(home, { type: "openSettings", backend });
    const file = {
      file: "/home/ada/amplify_outputs.json", format: "amplifyOutputs" as const, savedTo: "/home/ada/.config/coffer/coffer.toml",
      region: "eu-west-1", userPoolId: "eu-west-1_P", clientId: "c1", identityPoolId: null, bucket: null,
      hostedUiDomain: null, endpoint: "https://cognito-idp.eu-west-1.amazonaws.com", awsEndpoints: true,
    };
    const chosen = transition(settings, { type: "backendFileChosen", file });
    expect(chosen).toEqual({ name: "settings", backend, back: home, chosen: file });
    expect(whoOf(chosen)).toBe(who);
    const refused = { kind: "error" as const, text: "No." };
    expect(transition(chosen, { type: "backendChoiceClosed", notice: refused })).toEqual({ name: "settings", backend, back: home, notice: refused });
    expect(transition(chosen, { type: "backendChoiceClosed" })).toEqual(settings);
    // Only settings hold a choice.
    expect(transition(home, { type: "backendFileChosen", file })).toBe(home);

    // On the new backend the session is gone: settings for it, with sign-in behind.
    const own: BackendView = { ...backend, kind: "configFile", userPoolId: "eu-west-1_P", region: "eu-west-1" };
    const changed = transition(chosen, { type: "backendChanged", backend: own });
    expect(changed).toMatchObject({ name: "settings", backend: own, back: { name: "signIn", username: "" }, notice: { kind: "success" } });
    expect(whoOf(changed)).toBeNull();
    expect(transition(changed, { type: "closeSettings" })).toEqual({ name: "signIn", username: "" });
  });

  it("ignores events that do not apply to the current screen", () => {
    const signIn: Screen = { name: "signIn", username: "" };
    expect(transition(signIn, { type: "refreshed", who })).toBe(signIn);
    expect(transition(signIn, { type: "codeResent", delivery })).toBe(signIn);
    expect(transition(signIn, { type: "closeSettings" })).toBe(signIn);
  });

  it("says where a code went", () => {
    expect(deliveryText(delivery)).toBe("We sent a 6-digit code by e-mail to a***@e***.");
    expect(deliveryText({ destination: "+*******1234", medium: "sms" })).toContain("by text message");
    expect(deliveryText(null)).toBe("We sent you a confirmation code.");
  });
});

describe("sign-in steps", () => {
  const setup = { account: "ada@example.com", secret: "JBSWY3DPEHPK3PXP", otpauthUri: "otpauth://totp/Coffer:ada?secret=JBSWY3DPEHPK3PXP", qrSvg: "<svg/>" };
  const signIn: Screen = { name: "signIn", username: "ada@example.com" };
  const answered = (screen: Screen, outcome: Parameters<typeof transition>[1] extends infer E ? (E extends { type: "signInAnswered"; outcome: infer O } ? O : never) : never) =>
    transition(screen, { type: "signInAnswered", username: "ada@example.com", outcome });

  it("shows each step the password leads to", () => {
    expect(answered(signIn, { step: "mfaCode", kind: "totp", delivery: null })).toEqual({ name: "mfaCode", username: "ada@example.com", kind: "totp", delivery: null });
    expect(answered(signIn, { step: "mfaCode", kind: "email", delivery })).toMatchObject({ name: "mfaCode", kind: "email", delivery });
    expect(answered(signIn, { step: "selectMfa", options: ["totp", "email"] })).toEqual({ name: "selectMfa", username: "ada@example.com", options: ["totp", "email"] });
    expect(answered(signIn, { step: "setUpTotp", setup })).toEqual({ name: "totpSetup", username: "ada@example.com", setup });
    expect(answered(signIn, { step: "newPassword", requiredAttributes: ["name"] })).toEqual({ name: "newPassword", username: "ada@example.com", requiredAttributes: ["name"] });
  });

  it("chains choose → code → home, and says when the device was remembered", () => {
    let screen = answered(signIn, { step: "selectMfa", options: ["totp", "email"] });
    screen = answered(screen, { step: "mfaCode", kind: "email", delivery });
    expect(screen).toMatchObject({ name: "mfaCode", kind: "email" });
    const home = answered(screen, { step: "signedIn", who, device: "remembered" });
    expect(home).toMatchObject({ name: "home", who, notice: { kind: "success" } });
    // A remembered device that skipped the code goes straight home without a notice.
    expect(answered(signIn, { step: "signedIn", who, device: "remembered" })).toEqual({ name: "home", who });
  });

  it("stays on the step after a correctable refusal and restarts after an expired one", () => {
    const code: Screen = { name: "mfaCode", username: "ada@example.com", kind: "totp", delivery: null };
    const wrong = { code: "code_mismatch", message: "the verification code is wrong", stepKept: true };
    expect(transition(code, { type: "stepRefused", username: "ada@example.com", error: wrong })).toBe(code);
    const expired = { code: "session_expired", message: "the sign-in has expired; sign in again", stepKept: false };
    expect(transition(code, { type: "stepRefused", username: "ada@example.com", error: expired })).toEqual({
      name: "signIn",
      username: "ada@example.com",
      notice: { kind: "error", text: "This sign-in timed out: each step must be answered within 3 minutes. Sign in again." },
    });
    const gone = { code: "too_many_requests", message: "x", stepKept: false };
    expect(transition(code, { type: "stepRefused", username: "ada@example.com", error: gone })).toMatchObject({ name: "signIn", notice: { text: "Too many attempts. Wait a minute, then try again." } });
    expect(transition(code, { type: "cancelSignIn", username: "ada@example.com" })).toEqual({ name: "signIn", username: "ada@example.com" });
  });

  it("labels factors and says where the code went", () => {
    expect(mfaKindLabel("totp")).toBe("Authenticator app");
    expect(mfaCodeHint("totp", null)).toContain("authenticator app");
    expect(mfaCodeHint("email", delivery)).toBe("We sent a 6-digit code by e-mail to a***@e***.");
    expect(mfaCodeHint("sms", { destination: "+*******0100", medium: "sms" })).toBe("We sent a 6-digit code by text message to +*******0100.");
  });
});

describe("password reset", () => {
  it("goes request → code and new password → sign-in with the username kept", () => {
    let screen: Screen = transition({ name: "signIn", username: "" }, { type: "showForgotPassword", username: "ada@example.com" });
    expect(screen).toEqual({ name: "forgotPassword", username: "ada@example.com" });
    screen = transition(screen, { type: "resetCodeSent", username: "ada@example.com", delivery });
    expect(screen).toEqual({ name: "resetPassword", username: "ada@example.com", delivery });
    screen = transition(screen, { type: "passwordReset", username: "ada@example.com" });
    expect(screen).toMatchObject({ name: "signIn", username: "ada@example.com", notice: { kind: "success" } });
  });
});

describe("account pages", () => {
  const setup = { account: "ada@example.com", secret: "S", otpauthUri: "otpauth://x", qrSvg: "<svg/>" };
  it("moves between home, security and devices while signed in only", () => {
    const home: Screen = { name: "home", who };
    const security = transition(home, { type: "showPage", page: "security" });
    expect(security).toEqual({ name: "security", who });
    expect(transition(security, { type: "showPage", page: "security" })).toBe(security);
    expect(transition(security, { type: "showPage", page: "devices" })).toEqual({ name: "devices", who });
    const notice = { kind: "success" as const, text: "Saved." };
    expect(transition(security, { type: "showPage", page: "security", notice })).toEqual({ name: "security", who, notice });
    const signIn: Screen = { name: "signIn", username: "" };
    expect(transition(signIn, { type: "showPage", page: "security" })).toBe(signIn);
    const settings: Screen = { name: "settings", backend, back: security };
    expect(whoOf(settings)).toBe(who);
    expect(transition(settings, { type: "showPage", page: "devices" })).toEqual({ name: "devices", who });
  });

  it("enrols an authenticator from the security page and comes back with a notice", () => {
    const enrol = transition({ name: "security", who }, { type: "totpEnrollStarted", setup });
    expect(enrol).toEqual({ name: "totpEnroll", who, setup });
    expect(transition(enrol, { type: "closeTotpEnroll" })).toEqual({ name: "security", who });
    expect(transition(enrol, { type: "totpEnrolled" })).toMatchObject({ name: "security", who, notice: { kind: "success" } });
    // Only from the security page.
    const home: Screen = { name: "home", who };
    expect(transition(home, { type: "totpEnrollStarted", setup })).toBe(home);
  });
});
