import { describe, expect, it } from "vitest";
import type { BackendView, WhoAmIView } from "../src/ipc/bindings";
import { challengeLabel, deliveryText, initialScreen, transition, type Screen } from "../src/logic/machine";

const who: WhoAmIView = { username: "u-1", sub: "s-1", email: "ada@example.com", expiresAt: "2030-01-01T00:00:00Z" };
const backend: BackendView = {
  kind: "localCloud", endpoint: "http://127.0.0.1:4566", region: "us-east-1", userPoolId: "us-east-1_A", clientId: "c",
  configPath: null, configOrigin: null, dataDir: null,
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
    screen = transition(screen, { type: "signInAnswered", username: "ada@example.com", outcome: { step: "signedIn", who } });
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
