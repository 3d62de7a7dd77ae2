// The screens and how events move between them, as a pure function (tested without a DOM).
//
// A sign-in moves through the steps the app reports (`SignInOutcome`): each step is a screen
// (code entry, choosing a factor, choosing a factor to set up, authenticator or e-mail setup,
// new password) whose answer yields the next outcome. A refused answer either stays on the step (`stepKept`) or goes back to sign-in.
//
// Guest mode is its own screen (`guestFiles`), reached from sign-in without signing in.
//
// Settings can change the backend: a picked backend file waits on the settings screen
// (`chosen`) until the person confirms; then the app is on the new backend, signed out, and the
// settings screen shows it with sign-in behind it.
import type {
  BackendFileView,
  BackendView,
  CodeDeliveryView,
  CommandError,
  MfaKindView,
  SignInOutcome,
  TotpSetupView,
  WhoAmIView,
} from "../ipc/bindings";
import { messageFor } from "./errors";

export interface Notice {
  kind: "info" | "success" | "error";
  text: string;
}

export type Screen =
  | { name: "loading" }
  | { name: "startupError"; error: CommandError }
  | { name: "signIn"; username: string; notice?: Notice }
  | { name: "signUp" }
  | { name: "confirm"; username: string; delivery: CodeDeliveryView | null; notice?: Notice }
  | { name: "stepNotSupported"; username: string; challenge: string }
  | { name: "mfaCode"; username: string; kind: MfaKindView; delivery: CodeDeliveryView | null; notice?: Notice }
  | { name: "selectMfa"; username: string; options: MfaKindView[] }
  | { name: "totpSetup"; username: string; setup: TotpSetupView }
  | { name: "selectMfaSetup"; username: string; options: MfaKindView[] }
  | { name: "emailMfaSetup"; username: string }
  | { name: "newPassword"; username: string; requiredAttributes: string[] }
  | { name: "forgotPassword"; username: string; notice?: Notice }
  | { name: "resetPassword"; username: string; delivery: CodeDeliveryView | null; notice?: Notice }
  | { name: "home"; who: WhoAmIView; notice?: Notice }
  | { name: "security"; who: WhoAmIView; notice?: Notice }
  | { name: "totpEnroll"; who: WhoAmIView; setup: TotpSetupView }
  | { name: "devices"; who: WhoAmIView; notice?: Notice }
  | { name: "files"; who: WhoAmIView; notice?: Notice }
  | { name: "guestFiles"; notice?: Notice }
  | { name: "settings"; backend: BackendView; back: Screen; chosen?: BackendFileView; notice?: Notice };

/** The signed-in pages of the sidebar. */
export type AccountPage = "home" | "files" | "security" | "devices";

export type Event =
  | { type: "started"; who: WhoAmIView | null }
  | { type: "startFailed"; error: CommandError }
  | { type: "signInAnswered"; username: string; outcome: SignInOutcome }
  | { type: "notConfirmed"; username: string }
  | { type: "showSignIn"; username?: string }
  | { type: "showSignUp" }
  | { type: "signedUp"; username: string; confirmed: boolean; delivery: CodeDeliveryView | null }
  | { type: "codeResent"; delivery: CodeDeliveryView | null }
  | { type: "confirmed"; username: string }
  | { type: "refreshed"; who: WhoAmIView }
  | { type: "signedOut"; everywhere: boolean }
  | { type: "sessionLost"; notice: Notice }
  | { type: "openSettings"; backend: BackendView }
  | { type: "closeSettings" }
  | { type: "backendFileChosen"; file: BackendFileView }
  | { type: "backendChoiceClosed"; notice?: Notice }
  | { type: "backendChanged"; backend: BackendView }
  | { type: "stepRefused"; username: string; error: CommandError }
  | { type: "cancelSignIn"; username: string }
  | { type: "showForgotPassword"; username: string; notice?: Notice }
  | { type: "resetCodeSent"; username: string; delivery: CodeDeliveryView | null }
  | { type: "passwordReset"; username: string }
  | { type: "showPage"; page: AccountPage; notice?: Notice }
  | { type: "totpEnrollStarted"; setup: TotpSetupView }
  | { type: "totpEnrolled" }
  | { type: "closeTotpEnroll" }
  | { type: "continueAsGuest" };

export const initialScreen: Screen = { name: "loading" };

/**
 * Human names of Cognito challenges that are not answered yet. `MFA_SETUP (SMS_MFA)` is
 * MFA_SETUP offering only factors that cannot be set up during a sign-in.
 */
export function challengeLabel(challenge: string): string {
  switch (challenge.replace(/ \(.*\)$/, "")) {
    case "SMS_MFA":
    case "EMAIL_OTP":
      return "a one-time code (multi-factor authentication)";
    case "SOFTWARE_TOKEN_MFA":
      return "a code from your authenticator app";
    case "MFA_SETUP":
      return "setting up multi-factor authentication";
    case "SELECT_MFA_TYPE":
      return "choosing a multi-factor method";
    case "NEW_PASSWORD_REQUIRED":
      return "choosing a new password";
    default:
      return `a step Coffer does not know yet (${challenge})`;
  }
}

/** What a second factor is called on screen. */
export function mfaKindLabel(kind: MfaKindView): string {
  switch (kind) {
    case "totp":
      return "Authenticator app";
    case "sms":
      return "Text message (SMS)";
    case "email":
      return "E-mail";
  }
}

/** The line under the code field: where the code comes from. */
export function mfaCodeHint(kind: MfaKindView, delivery: CodeDeliveryView | null): string {
  if (kind === "totp") return "Open your authenticator app and enter the 6-digit code it shows for Coffer.";
  if (!delivery) return kind === "sms" ? "We sent a 6-digit code by text message." : "We sent a 6-digit code by e-mail.";
  return deliveryText(delivery);
}

/** The user's signed-in identity on a signed-in screen, if it is one. */
export function whoOf(screen: Screen): WhoAmIView | null {
  switch (screen.name) {
    case "home":
    case "security":
    case "totpEnroll":
    case "devices":
    case "files":
      return screen.who;
    case "settings":
      return whoOf(screen.back);
    default:
      return null;
  }
}

/** Where a sign-in goes after an answer was refused and the step is gone. */
function restartNotice(error: CommandError): Notice {
  if (error.code === "session_expired" || error.code === "no_pending_step") {
    return { kind: "error", text: "This sign-in timed out: each step must be answered within 3 minutes. Sign in again." };
  }
  return { kind: "error", text: messageFor(error).text };
}

/** The screen for a sign-in outcome. */
function afterAnswer(screen: Screen, username: string, outcome: SignInOutcome): Screen {
  switch (outcome.step) {
    case "signedIn":
      return outcome.device === "remembered" && screen.name !== "signIn"
        ? { name: "home", who: outcome.who, notice: { kind: "success", text: "This device is remembered: the next sign-in here skips the code." } }
        : { name: "home", who: outcome.who };
    case "mfaCode":
      return { name: "mfaCode", username, kind: outcome.kind, delivery: outcome.delivery };
    case "selectMfa":
      return { name: "selectMfa", username, options: outcome.options };
    case "setUpTotp":
      return { name: "totpSetup", username, setup: outcome.setup };
    case "selectMfaSetup":
      return { name: "selectMfaSetup", username, options: outcome.options };
    case "setUpEmailMfa":
      return { name: "emailMfaSetup", username };
    case "newPassword":
      return { name: "newPassword", username, requiredAttributes: outcome.requiredAttributes };
    case "unsupported":
      return { name: "stepNotSupported", username, challenge: outcome.challenge };
  }
}

/** What the settings say once the app is on another backend. */
export function backendChangedText(backend: BackendView): string {
  return backend.kind === "configFile"
    ? `Coffer now uses your backend: user pool ${backend.userPoolId} in ${backend.region}. You are signed out here; sign in with an account of that user pool.`
    : "Coffer is back on the local cloud. You are signed out here; sign in with a local account.";
}

export function deliveryText(delivery: CodeDeliveryView | null): string {
  if (!delivery) return "We sent you a confirmation code.";
  const by = delivery.medium === "sms" ? "by text message" : "by e-mail";
  return `We sent a 6-digit code ${by} to ${delivery.destination}.`;
}

export function transition(screen: Screen, event: Event): Screen {
  switch (event.type) {
    case "started":
      return event.who ? { name: "home", who: event.who } : { name: "signIn", username: "" };
    case "startFailed":
      return { name: "startupError", error: event.error };
    case "signInAnswered":
      return afterAnswer(screen, event.username, event.outcome);
    case "stepRefused":
      // A wrong code or refused password keeps the step: the view shows the message in place.
      if (event.error.stepKept !== false) return screen;
      return { name: "signIn", username: event.username, notice: restartNotice(event.error) };
    case "cancelSignIn":
      return { name: "signIn", username: event.username };
    case "showForgotPassword":
      return event.notice
        ? { name: "forgotPassword", username: event.username, notice: event.notice }
        : { name: "forgotPassword", username: event.username };
    case "resetCodeSent":
      return { name: "resetPassword", username: event.username, delivery: event.delivery };
    case "passwordReset":
      return {
        name: "signIn",
        username: event.username,
        notice: { kind: "success", text: "Password changed. Sign in with your new password." },
      };
    case "showPage": {
      // With a notice, the page is shown afresh (reloaded) even when it is the current one.
      const who = whoOf(screen);
      if (!who || (screen.name === event.page && !event.notice)) return screen;
      return event.notice ? { name: event.page, who, notice: event.notice } : { name: event.page, who };
    }
    case "totpEnrollStarted":
      if (screen.name !== "security") return screen;
      return { name: "totpEnroll", who: screen.who, setup: event.setup };
    case "totpEnrolled":
      if (screen.name !== "totpEnroll") return screen;
      return {
        name: "security",
        who: screen.who,
        notice: { kind: "success", text: "Authenticator app set up. Coffer will ask for its code when you sign in." },
      };
    case "closeTotpEnroll":
      return screen.name === "totpEnroll" ? { name: "security", who: screen.who } : screen;
    case "notConfirmed":
      return {
        name: "confirm",
        username: event.username,
        delivery: null,
        notice: { kind: "info", text: "Confirm your account first: enter the code we sent, or send a new one." },
      };
    case "showSignIn":
      return { name: "signIn", username: event.username ?? "" };
    case "continueAsGuest":
      return { name: "guestFiles" };
    case "showSignUp":
      return { name: "signUp" };
    case "signedUp":
      return event.confirmed
        ? { name: "signIn", username: event.username, notice: { kind: "success", text: "Account created. Sign in to continue." } }
        : { name: "confirm", username: event.username, delivery: event.delivery };
    case "codeResent":
      if (screen.name !== "confirm") return screen;
      return {
        ...screen,
        delivery: event.delivery ?? screen.delivery,
        notice: { kind: "success", text: `New code sent. ${deliveryText(event.delivery ?? screen.delivery)}` },
      };
    case "confirmed":
      return {
        name: "signIn",
        username: event.username,
        notice: { kind: "success", text: "Account confirmed. Sign in with your password." },
      };
    case "refreshed":
      if (screen.name !== "home") return screen;
      return { name: "home", who: event.who, notice: { kind: "success", text: "Session refreshed." } };
    case "signedOut":
      return {
        name: "signIn",
        username: "",
        notice: {
          kind: "info",
          text: event.everywhere ? "Signed out on every device." : "Signed out.",
        },
      };
    case "sessionLost":
      return { name: "signIn", username: "", notice: event.notice };
    case "openSettings":
      if (screen.name === "settings") return screen;
      return { name: "settings", backend: event.backend, back: screen };
    case "closeSettings":
      return screen.name === "settings" ? screen.back : screen;
    case "backendFileChosen":
      if (screen.name !== "settings") return screen;
      return { name: "settings", backend: screen.backend, back: screen.back, chosen: event.file };
    case "backendChoiceClosed":
      if (screen.name !== "settings") return screen;
      return event.notice
        ? { name: "settings", backend: screen.backend, back: screen.back, notice: event.notice }
        : { name: "settings", backend: screen.backend, back: screen.back };
    case "backendChanged":
      // The session belonged to the previous backend: signed out, sign-in is behind settings.
      return {
        name: "settings",
        backend: event.backend,
        back: { name: "signIn", username: "" },
        notice: { kind: "success", text: backendChangedText(event.backend) },
      };
  }
}
