// The screens and how events move between them, as a pure function (tested without a DOM).
//
// Extension points: MFA steps (code entry, TOTP setup, choosing a type) and the new-password
// step become screens here, entered from new `SignInOutcome` variants in `signInAnswered`;
// guest mode and the files view become screens reached from `home`.
import type {
  BackendView,
  CodeDeliveryView,
  CommandError,
  SignInOutcome,
  WhoAmIView,
} from "../ipc/bindings";

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
  | { name: "home"; who: WhoAmIView; notice?: Notice }
  | { name: "settings"; backend: BackendView; back: Screen };

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
  | { type: "closeSettings" };

export const initialScreen: Screen = { name: "loading" };

/** Human names of Cognito challenges that are not answered yet. */
export function challengeLabel(challenge: string): string {
  switch (challenge) {
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
      switch (event.outcome.step) {
        case "signedIn":
          return { name: "home", who: event.outcome.who };
        case "unsupported":
          return { name: "stepNotSupported", username: event.username, challenge: event.outcome.challenge };
      }
      return screen;
    case "notConfirmed":
      return {
        name: "confirm",
        username: event.username,
        delivery: null,
        notice: { kind: "info", text: "Confirm your account first: enter the code we sent, or send a new one." },
      };
    case "showSignIn":
      return { name: "signIn", username: event.username ?? "" };
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
  }
}
