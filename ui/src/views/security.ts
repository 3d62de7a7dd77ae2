// The security page: two-step verification (status, authenticator setup, preferred method) and
// changing the password.
import type { MfaKindView, MfaPreferenceView, MfaSettingsView, TotpSetupView, WhoAmIView } from "../ipc/bindings";
import { asCommandError } from "../ipc/backend";
import { codeMismatchText, endsSession, messageFor } from "../logic/errors";
import { mfaKindLabel, type Notice } from "../logic/machine";
import { hasErrors, validateChangePassword, validateCode } from "../logic/validation";
import { showErrors } from "./auth";
import type { ViewContext } from "./context";
import { banner, busy, field, h } from "./dom";
import { shell } from "./home";
import { codeField } from "./steps";
import { totpSetupPanel } from "./totp";

/** One line saying where two-step verification stands. */
export function mfaStatusText(settings: MfaSettingsView): string {
  if (settings.enabled.length === 0) return "Off: signing in needs only your password.";
  const preferred = settings.preferred ?? settings.enabled[0];
  const others = settings.enabled.filter((kind) => kind !== preferred).map(mfaKindLabel);
  const also = others.length ? ` Also available: ${others.join(", ")}.` : "";
  const source = preferred === "totp" ? "your authenticator app" : preferred === "sms" ? "a text message" : "your e-mail";
  return `On: after your password, Coffer asks for a code from ${source}.${also}`;
}

function failed(ctx: ViewContext, error: unknown, notices: HTMLElement): void {
  const commandError = asCommandError(error);
  const text = messageFor(commandError).text;
  if (endsSession(commandError)) ctx.dispatch({ type: "sessionLost", notice: { kind: "error", text } });
  else notices.replaceChildren(banner("error", text));
}

function mfaCard(ctx: ViewContext, settings: MfaSettingsView, notices: HTMLElement): HTMLElement {
  const totpOn = settings.enabled.includes("totp");
  const setUp = h("button", { type: "button", class: "secondary compact", "data-testid": "setup-totp" }, totpOn ? "Set up again" : "Set up authenticator app");
  setUp.addEventListener("click", () => {
    void busy(setUp, async () => {
      try {
        const setup = await ctx.backend.call("begin_totp_setup", null);
        ctx.dispatch({ type: "totpEnrollStarted", setup });
      } catch (error) {
        failed(ctx, error, notices);
      }
    });
  });
  const choices: { value: MfaPreferenceView; label: string; hint: string; disabled: boolean }[] = [
    { value: "totp", label: mfaKindLabel("totp"), hint: totpOn ? "A code from the app on your phone" : "Set up the app first", disabled: !totpOn },
    { value: "email", label: mfaKindLabel("email"), hint: "A code sent to your verified e-mail address", disabled: false },
    { value: "none", label: "Off", hint: "Only your password", disabled: false },
  ];
  const current: MfaPreferenceView = settings.preferred ?? (settings.enabled.length ? (settings.enabled[0] as MfaKindView) : "none");
  const radios = choices.map((choice) =>
    h(
      "label",
      { class: `choice${choice.disabled ? " disabled" : ""}`, "data-testid": `prefer-${choice.value}` },
      h("input", { type: "radio", name: "preference", value: choice.value, checked: choice.value === current, disabled: choice.disabled }),
      h("span", { class: "choice-text" }, h("strong", {}, choice.label), h("span", { class: "muted" }, choice.hint)),
    ),
  );
  const save = h("button", { type: "submit", class: "primary compact", "data-testid": "save-preference" }, "Save");
  const form = h(
    "form",
    { class: "form", novalidate: true, "data-testid": "preference-form" },
    h("fieldset", { class: "choices" }, h("legend", {}, "Ask for a code from"), ...radios),
    h("div", { class: "actions" }, save),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const preference = form.querySelector<HTMLInputElement>("input[name=preference]:checked")?.value as MfaPreferenceView | undefined;
    if (!preference) return;
    void busy(save, async () => {
      try {
        await ctx.backend.call("set_mfa_preference", { preference });
        const text = preference === "none" ? "Two-step verification is off." : `Saved: Coffer will ask for a code by ${mfaKindLabel(preference).toLowerCase()} when you sign in.`;
        ctx.dispatch({ type: "showPage", page: "security", notice: { kind: "success", text } });
      } catch (error) {
        failed(ctx, error, notices);
      }
    });
  });
  return h(
    "section",
    { class: "card", "aria-labelledby": "mfa-title", "data-testid": "mfa-card" },
    h(
      "div",
      { class: "card-title-row" },
      h("h2", { id: "mfa-title" }, "Two-step verification"),
      h("span", { class: `pill ${settings.enabled.length ? "pill-on" : "pill-off"}`, "data-testid": "mfa-status" }, settings.enabled.length ? "On" : "Off"),
    ),
    h("p", { class: "muted", "data-testid": "mfa-status-text" }, mfaStatusText(settings)),
    h(
      "div",
      { class: "row-item" },
      h("div", {}, h("strong", {}, "Authenticator app"), h("p", { class: "muted" }, totpOn ? "Set up. Codes come from the app on your phone." : "Not set up. Works offline, with any TOTP app.")),
      setUp,
    ),
    form,
  );
}

function passwordCard(ctx: ViewContext, notices: HTMLElement): HTMLElement {
  const current = field({ name: "current", label: "Current password", type: "password", autocomplete: "current-password" });
  const password = field({ name: "password", label: "New password", type: "password", autocomplete: "new-password" });
  const confirm = field({ name: "confirm", label: "Repeat new password", type: "password", autocomplete: "new-password" });
  const fields = { current, password, confirm };
  const formBanner = h("div", { class: "form-banner" });
  const submit = h("button", { type: "submit", class: "primary compact", "data-testid": "change-password-submit" }, "Change password");
  const form = h(
    "form",
    { class: "form", novalidate: true, "data-testid": "change-password-form" },
    formBanner,
    current.wrapper,
    h("div", { class: "two-columns" }, password.wrapper, confirm.wrapper),
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const errors = validateChangePassword(current.input.value, password.input.value, confirm.input.value);
    showErrors(fields, errors, formBanner);
    if (hasErrors(errors)) return;
    void busy(submit, async () => {
      try {
        await ctx.backend.call("change_password", { currentPassword: current.input.value, newPassword: password.input.value });
        for (const f of Object.values(fields)) f.input.value = "";
        formBanner.replaceChildren(banner("success", "Password changed."));
      } catch (error) {
        const commandError = asCommandError(error);
        if (endsSession(commandError)) {
          failed(ctx, commandError, notices);
          return;
        }
        // Here a wrong password is the current one.
        const fieldName = commandError.code === "wrong_username_or_password" ? "current" : undefined;
        if (fieldName) showErrors(fields, { current: "The current password is not right." }, formBanner);
        else showErrors(fields, {}, formBanner, commandError);
      }
    });
  });
  return h("section", { class: "card", "aria-labelledby": "password-title" }, h("h2", { id: "password-title" }, "Password"), h("p", { class: "muted" }, "Change the password you sign in with."), form);
}

export function securityView(ctx: ViewContext, screen: { who: WhoAmIView; notice?: Notice }): HTMLElement {
  const notices = h("div", { class: "notices" });
  if (screen.notice) notices.append(banner(screen.notice.kind, screen.notice.text));
  const mfaSlot = h("div", { "data-testid": "mfa-slot" }, h("section", { class: "card loading-card", role: "status" }, h("div", { class: "spinner small", "aria-hidden": "true" }), h("span", { class: "muted" }, "Loading two-step verification…")));
  void ctx.backend.call("mfa_settings", null).then(
    (settings) => mfaSlot.replaceChildren(mfaCard(ctx, settings, notices)),
    (error) => {
      mfaSlot.replaceChildren();
      failed(ctx, error, notices);
    },
  );
  const content = h(
    "div",
    { class: "page" },
    h("h1", { id: "screen-title", tabindex: "-1" }, "Security"),
    h("p", { class: "subtitle" }, "Two-step verification and your password."),
    mfaSlot,
    passwordCard(ctx, notices),
  );
  return shell(ctx, screen.who, "security", content, notices);
}

export function totpEnrollView(ctx: ViewContext, screen: { who: WhoAmIView; setup: TotpSetupView }): HTMLElement {
  const notices = h("div", { class: "notices" });
  const formBanner = h("div", { class: "form-banner" });
  const code = codeField("Code from the app", "The code changes every 30 seconds; enter the current one.", () => form.requestSubmit());
  const submit = h("button", { type: "submit", class: "primary compact", "data-testid": "totp-enroll-submit" }, "Verify and turn on");
  const cancel = h("button", { type: "button", class: "secondary compact", "data-testid": "totp-enroll-cancel", onclick: () => ctx.dispatch({ type: "closeTotpEnroll" }) }, "Cancel");
  const form = h("form", { class: "form", novalidate: true, "data-testid": "totp-enroll-form" }, formBanner, totpSetupPanel(screen.setup), code.wrapper, h("div", { class: "actions" }, cancel, submit));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const errors = validateCode(code.input.value);
    showErrors({ code }, errors, formBanner);
    if (hasErrors(errors) || submit.disabled) return;
    void busy(submit, async () => {
      try {
        await ctx.backend.call("confirm_totp_setup", { code: code.input.value });
        ctx.dispatch({ type: "totpEnrolled" });
      } catch (error) {
        const commandError = asCommandError(error);
        if (commandError.code === "code_mismatch") {
          showErrors({ code }, { code: codeMismatchText("totp") }, formBanner);
          code.input.select();
        } else if (commandError.stepKept === false && !endsSession(commandError)) {
          ctx.dispatch({ type: "showPage", page: "security", notice: { kind: "error", text: `${messageFor(commandError).text} Start the setup again.` } });
        } else if (endsSession(commandError)) {
          failed(ctx, commandError, notices);
        } else {
          showErrors({ code }, {}, formBanner, commandError);
        }
      }
    });
  });
  const content = h(
    "div",
    { class: "page" },
    h("h1", { id: "screen-title", tabindex: "-1" }, "Set up an authenticator app"),
    h("p", { class: "subtitle" }, "After this, signing in asks for a code from the app as well as your password."),
    h("section", { class: "card", "aria-labelledby": "screen-title" }, form),
  );
  return shell(ctx, screen.who, "security", content, notices);
}
