// The controller: holds the current screen, renders it, and moves focus on screen changes.
import type { Backend } from "./ipc/backend";
import { asCommandError } from "./ipc/backend";
import { messageFor } from "./logic/errors";
import { guestAdoptionNotice } from "./logic/files";
import { initialScreen, transition, type Event, type Screen } from "./logic/machine";
import {
  confirmView,
  loadingView,
  signInView,
  signUpView,
  startupErrorView,
  stepNotSupportedView,
} from "./views/auth";
import type { ViewContext } from "./views/context";
import { banner } from "./views/dom";
import { devicesView } from "./views/devices";
import { filesView } from "./views/files";
import { homeView } from "./views/home";
import { forgotPasswordView, resetPasswordView } from "./views/recovery";
import { securityView, totpEnrollView } from "./views/security";
import { settingsView } from "./views/settings";
import { emailMfaSetupView, mfaCodeView, newPasswordView, selectMfaSetupView, selectMfaView, totpSetupView } from "./views/steps";

export class App {
  private screen: Screen = initialScreen;
  private readonly ctx: ViewContext;
  private hostedUi: Promise<string[] | null> | undefined;

  constructor(
    private readonly root: HTMLElement,
    backend: Backend,
    now: () => Date = () => new Date(),
  ) {
    this.ctx = {
      backend,
      now,
      dispatch: (event) => this.dispatch(event),
      openSettings: () => this.openSettings(),
      hostedUiProviders: () => this.hostedUiProviders(),
    };
  }

  get current(): Screen {
    return this.screen;
  }

  /** Shows the first screen: the restored session, or sign-in. */
  async start(): Promise<void> {
    this.render();
    try {
      const who = await this.ctx.backend.call("restore_session", null);
      this.dispatch({ type: "started", who });
    } catch (error) {
      this.dispatch({ type: "startFailed", error: asCommandError(error) });
    }
  }

  dispatch(event: Event): void {
    // Another backend has its own hosted UI (or none): ask again.
    if (event.type === "backendChanged") this.hostedUi = undefined;
    const next = transition(this.screen, event);
    if (next !== this.screen) {
      this.screen = next;
      this.render();
    }
    const signedIn =
      (event.type === "signInAnswered" && event.outcome.step === "signedIn") ||
      (event.type === "started" && event.who !== null);
    if (signedIn) void this.moveGuestFiles(this.screen.name);
  }

  /**
   * Right after a sign-in, and when the app starts into a kept session: files this device
   * uploaded as a guest move into the user's own files when a sign-in took the guest identity
   * over (or merged it into the user's older one, here or in another Coffer process such as the
   * CLI); the files page then shows them with a notice (unless the person has gone elsewhere
   * meanwhile). Nothing happens (and the cloud is not asked) when there is nothing to move.
   */
  private async moveGuestFiles(landedOn: Screen["name"]): Promise<void> {
    try {
      const notice = guestAdoptionNotice(await this.ctx.backend.call("adopt_guest_files", null));
      if (!notice) return;
      // The move takes a moment; a person who went elsewhere meanwhile (settings, say) is not
      // pulled away: the notice shows where they are.
      if (this.screen.name === landedOn) this.dispatch({ type: "showPage", page: "files", notice });
      else this.root.querySelector(".notices")?.append(banner(notice.kind, notice.text));
    } catch (error) {
      // Only where the sign-in landed: elsewhere (say, after switching backends meanwhile) the
      // failure would read as one of that page. The next sign-in tries again either way.
      if (this.screen.name !== landedOn) return;
      const text = `Your guest files could not be moved into your files yet: ${messageFor(asCommandError(error)).text} The next sign-in tries again.`;
      this.root.querySelector(".notices")?.replaceChildren(banner("error", text));
    }
  }

  private async openSettings(): Promise<void> {
    try {
      const backend = await this.ctx.backend.call("backend_info", null);
      this.dispatch({ type: "openSettings", backend });
    } catch (error) {
      const notice = this.root.querySelector(".form-banner, .notices");
      notice?.replaceChildren(banner("error", messageFor(asCommandError(error)).text));
    }
  }

  /**
   * Asked once per backend (settings can change it), and `backend_info` fails only when the
   * backend could not start (then there is no browser sign-in either).
   */
  private hostedUiProviders(): Promise<string[] | null> {
    this.hostedUi ??= this.ctx.backend.call("backend_info", null).then(
      (backend) => (backend.hostedUi ? backend.hostedUiProviders : null),
      () => null,
    );
    return this.hostedUi;
  }

  private view(screen: Screen): HTMLElement {
    switch (screen.name) {
      case "loading":
        return loadingView();
      case "startupError":
        return startupErrorView(this.ctx, screen.error);
      case "signIn":
        return signInView(this.ctx, screen);
      case "signUp":
        return signUpView(this.ctx);
      case "confirm":
        return confirmView(this.ctx, screen);
      case "stepNotSupported":
        return stepNotSupportedView(this.ctx, screen);
      case "mfaCode":
        return mfaCodeView(this.ctx, screen);
      case "selectMfa":
        return selectMfaView(this.ctx, screen);
      case "totpSetup":
        return totpSetupView(this.ctx, screen);
      case "selectMfaSetup":
        return selectMfaSetupView(this.ctx, screen);
      case "emailMfaSetup":
        return emailMfaSetupView(this.ctx, screen);
      case "newPassword":
        return newPasswordView(this.ctx, screen);
      case "forgotPassword":
        return forgotPasswordView(this.ctx, screen);
      case "resetPassword":
        return resetPasswordView(this.ctx, screen);
      case "home":
        return homeView(this.ctx, screen);
      case "security":
        return securityView(this.ctx, screen);
      case "totpEnroll":
        return totpEnrollView(this.ctx, screen);
      case "devices":
        return devicesView(this.ctx, screen);
      case "files":
        return filesView(this.ctx, screen);
      case "guestFiles":
        return filesView(this.ctx, { who: null, ...(screen.notice ? { notice: screen.notice } : {}) });
      case "settings":
        return settingsView(this.ctx, screen);
    }
  }

  private render(): void {
    this.root.replaceChildren(this.view(this.screen));
    this.root.dataset.screen = this.screen.name;
    // Focus the first empty field, else the first field, else the page title, so keyboard and
    // screen-reader users start where the new screen starts.
    const inputs = [...this.root.querySelectorAll<HTMLInputElement>("input:not([disabled])")];
    const target = inputs.find((input) => input.value === "") ?? inputs[0] ?? this.root.querySelector<HTMLElement>("#screen-title");
    target?.focus();
  }
}
