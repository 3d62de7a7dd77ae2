// The signed-out screens: sign in, sign up, confirm, and the page for a step Coffer cannot answer.
import type { CodeDeliveryView, CommandError } from "../ipc/bindings";
import { asCommandError } from "../ipc/backend";
import { messageFor } from "../logic/errors";
import { challengeLabel, deliveryText, type Notice } from "../logic/machine";
import {
  hasErrors,
  passwordRules,
  validateCode,
  validateSignIn,
  validateSignUp,
  type FieldErrors,
} from "../logic/validation";
import type { ViewContext } from "./context";
import { banner, busy, field, h, type Field } from "./dom";

export function authLayout(ctx: ViewContext, title: string, subtitle: string, ...body: HTMLElement[]): HTMLElement {
  return h(
    "div",
    { class: "auth" },
    h(
      "main",
      { class: "auth-card", "aria-labelledby": "screen-title" },
      h(
        "div",
        { class: "brand" },
        h("img", { src: "/logo.png", alt: "", width: 44, height: 44 }),
        h("span", { class: "brand-name" }, "Coffer"),
      ),
      h("h1", { id: "screen-title", tabindex: "-1" }, title),
      h("p", { class: "subtitle" }, subtitle),
      ...body,
    ),
    h(
      "footer",
      { class: "auth-footer" },
      h("button", { type: "button", class: "link-button", onclick: () => void ctx.openSettings() }, "Backend settings"),
    ),
  );
}

/** Shows field errors (and focuses the first), or a form-level banner for the rest. */
export function showErrors(
  fields: Record<string, Field>,
  errors: FieldErrors<string>,
  formBanner: HTMLElement,
  commandError?: CommandError,
): void {
  for (const [name, f] of Object.entries(fields)) f.setError(errors[name]);
  formBanner.replaceChildren();
  if (commandError) {
    const message = messageFor(commandError);
    const target = message.field ? fields[message.field] : undefined;
    if (target) {
      target.setError(message.text);
      target.input.focus();
      target.input.select();
    } else {
      formBanner.append(banner("error", message.text));
    }
    return;
  }
  const first = Object.keys(fields).find((name) => errors[name]);
  if (first) fields[first]?.input.focus();
}

export function noticeBanner(notice: Notice | undefined): HTMLElement {
  const slot = h("div", { class: "form-banner" });
  if (notice) slot.append(banner(notice.kind, notice.text));
  return slot;
}

/** The identity provider that is the hosted UI's own page, offered by "Continue with hosted UI". */
const COGNITO_PROVIDER = "COGNITO";

/**
 * Other ways in, shown under the sign-in form: "Continue as guest" (the identity pool's guest
 * access; files under `guest/<identity id>/`), and when the backend has a hosted UI, "Continue
 * with hosted UI" plus one button per other configured provider. A browser sign-in opens the
 * system browser (from Rust) and shows "Waiting for your browser…" with Cancel until it ends.
 */
function alternativeSignIns(ctx: ViewContext, form: HTMLFormElement, formBanner: HTMLElement): HTMLElement[] {
  const hosted = h("div", { class: "hosted-ui", "data-testid": "hosted-ui" });
  const choices = h("div", { class: "hosted-ui-choices" });
  const waiting = h(
    "div",
    { class: "hosted-ui-waiting", role: "status", hidden: true, "data-testid": "hosted-ui-waiting" },
    h("div", { class: "spinner", "aria-hidden": "true" }),
    h("span", {}, "Waiting for your browser…"),
  );
  const cancel = h(
    "button",
    { type: "button", class: "secondary", "data-testid": "hosted-ui-cancel", onclick: () => void ctx.backend.call("cancel_hosted_ui", null).catch(() => undefined) },
    "Cancel",
  );
  waiting.append(cancel);
  hosted.append(choices, waiting);

  const setWaiting = (on: boolean) => {
    choices.hidden = on;
    waiting.hidden = !on;
    for (const control of form.querySelectorAll<HTMLInputElement | HTMLButtonElement>("input, button")) control.disabled = on;
    if (on) cancel.focus();
  };
  const start = async (provider: string | null) => {
    formBanner.replaceChildren();
    setWaiting(true);
    try {
      const outcome = await ctx.backend.call("sign_in_hosted_ui", { provider });
      const username = outcome.step === "signedIn" ? (outcome.who.email ?? outcome.who.username) : "";
      ctx.dispatch({ type: "signInAnswered", username, outcome });
    } catch (error) {
      const commandError = asCommandError(error);
      formBanner.append(banner(commandError.code === "hosted_ui_cancelled" ? "info" : "error", messageFor(commandError).text));
    } finally {
      // After a successful sign-in the screen has changed and these nodes are gone.
      if (hosted.isConnected) setWaiting(false);
    }
  };
  void ctx.hostedUiProviders().then((providers) => {
    if (!providers) return;
    const button = (label: string, provider: string | null, testid: string) =>
      h("button", { type: "button", class: "secondary", "data-testid": testid, onclick: () => void start(provider) }, label);
    choices.replaceChildren(
      button("Continue with hosted UI", null, "continue-with-hosted-ui"),
      ...providers
        .filter((provider) => provider !== COGNITO_PROVIDER)
        .map((provider) => button(`Continue with ${provider}`, provider, `continue-with-${provider}`)),
    );
  });
  return [
    hosted,
    h(
      "button",
      { type: "button", class: "secondary", "data-testid": "continue-as-guest", onclick: () => ctx.dispatch({ type: "continueAsGuest" }) },
      "Continue as guest",
    ),
  ];
}

export function signInView(ctx: ViewContext, screen: { username: string; notice?: Notice }): HTMLElement {
  const username = field({ name: "username", label: "E-mail address", type: "email", autocomplete: "username", value: screen.username });
  const password = field({ name: "password", label: "Password", type: "password", autocomplete: "current-password" });
  const formBanner = noticeBanner(screen.notice);
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "sign-in-submit" }, "Sign in");
  const fields = { username, password };
  const forgot = h(
    "button",
    { type: "button", class: "link-button field-aside", "data-testid": "go-forgot-password", onclick: () => ctx.dispatch({ type: "showForgotPassword", username: username.input.value.trim() }) },
    "Forgot password?",
  );
  // After the input in the DOM (so Tab goes password → link), beside the label on screen.
  password.wrapper.append(forgot);
  password.wrapper.classList.add("has-aside");
  const remember = h("input", { type: "checkbox", id: "remember-device", name: "rememberDevice", "data-testid": "remember-device" });
  const rememberRow = h(
    "div",
    { class: "check" },
    remember,
    h("label", { for: "remember-device" }, "Remember this device", h("span", { class: "check-hint" }, "Skip the verification code when you sign in here again")),
  );
  const form = h("form", { class: "form", novalidate: true, "data-testid": "sign-in-form" }, formBanner, username.wrapper, password.wrapper, rememberRow, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const errors = validateSignIn(username.input.value, password.input.value);
    showErrors(fields, errors, formBanner);
    if (hasErrors(errors)) return;
    const name = username.input.value.trim();
    void busy(submit, async () => {
      try {
        const outcome = await ctx.backend.call("sign_in", { username: name, password: password.input.value, rememberDevice: remember.checked });
        ctx.dispatch({ type: "signInAnswered", username: name, outcome });
      } catch (error) {
        const commandError = asCommandError(error);
        if (commandError.code === "user_not_confirmed") {
          ctx.dispatch({ type: "notConfirmed", username: name });
          return;
        }
        if (commandError.code === "password_reset_required") {
          ctx.dispatch({ type: "showForgotPassword", username: name, notice: { kind: "info", text: messageFor(commandError).text } });
          return;
        }
        password.input.value = "";
        showErrors(fields, {}, formBanner, commandError);
      }
    });
  });
  const alternatives = alternativeSignIns(ctx, form, formBanner);
  return authLayout(
    ctx,
    "Sign in",
    "Welcome back. Sign in to reach your files.",
    form,
    ...(alternatives.length ? [h("div", { class: "alternatives" }, ...alternatives)] : []),
    h(
      "p",
      { class: "switch" },
      "New to Coffer? ",
      h("button", { type: "button", class: "link-button", "data-testid": "go-sign-up", onclick: () => ctx.dispatch({ type: "showSignUp" }) }, "Create an account"),
    ),
  );
}

export function signUpView(ctx: ViewContext): HTMLElement {
  const email = field({ name: "email", label: "E-mail address", type: "email", autocomplete: "email" });
  const password = field({ name: "password", label: "Password", type: "password", autocomplete: "new-password" });
  const confirm = field({ name: "confirm", label: "Repeat password", type: "password", autocomplete: "new-password" });
  const rules = h("ul", { class: "rules", "aria-label": "Password requirements" });
  const renderRules = () => {
    rules.replaceChildren(
      ...passwordRules(password.input.value).map((rule) =>
        h("li", { class: rule.met ? "met" : "", "data-met": String(rule.met) }, h("span", { class: "tick", "aria-hidden": "true" }, rule.met ? "✓" : "•"), ` ${rule.label}`),
      ),
    );
  };
  renderRules();
  password.input.addEventListener("input", renderRules);
  password.wrapper.insertBefore(rules, password.wrapper.querySelector(".field-error"));
  const formBanner = h("div", { class: "form-banner" });
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "sign-up-submit" }, "Create account");
  const fields = { email, password, confirm };
  const form = h("form", { class: "form", novalidate: true, "data-testid": "sign-up-form" }, formBanner, email.wrapper, password.wrapper, confirm.wrapper, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const errors = validateSignUp(email.input.value, password.input.value, confirm.input.value);
    showErrors(fields, errors, formBanner);
    if (hasErrors(errors)) return;
    const address = email.input.value.trim();
    void busy(submit, async () => {
      try {
        const result = await ctx.backend.call("sign_up", { email: address, password: password.input.value });
        ctx.dispatch({ type: "signedUp", username: address, confirmed: result.confirmed, delivery: result.delivery });
      } catch (error) {
        showErrors(fields, {}, formBanner, asCommandError(error));
      }
    });
  });
  return authLayout(
    ctx,
    "Create your account",
    "Your files stay yours: sign-in is checked with SRP, tokens live in the system keychain.",
    form,
    h(
      "p",
      { class: "switch" },
      "Already have an account? ",
      h("button", { type: "button", class: "link-button", onclick: () => ctx.dispatch({ type: "showSignIn" }) }, "Sign in"),
    ),
  );
}

export function confirmView(
  ctx: ViewContext,
  screen: { username: string; delivery: CodeDeliveryView | null; notice?: Notice },
): HTMLElement {
  const code = field({ name: "code", label: "Confirmation code", autocomplete: "one-time-code", inputmode: "numeric", hint: deliveryText(screen.delivery) });
  code.input.classList.add("code-input");
  code.input.maxLength = 6;
  const formBanner = noticeBanner(screen.notice);
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "confirm-submit" }, "Confirm account");
  const resend = h("button", { type: "button", class: "secondary", "data-testid": "resend-code" }, "Send a new code");
  const fields = { code };
  const form = h("form", { class: "form", novalidate: true, "data-testid": "confirm-form" }, formBanner, code.wrapper, submit, resend);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const errors = validateCode(code.input.value);
    showErrors(fields, errors, formBanner);
    if (hasErrors(errors)) return;
    void busy(submit, async () => {
      try {
        await ctx.backend.call("confirm_sign_up", { username: screen.username, code: code.input.value.trim() });
        ctx.dispatch({ type: "confirmed", username: screen.username });
      } catch (error) {
        showErrors(fields, {}, formBanner, asCommandError(error));
      }
    });
  });
  resend.addEventListener("click", () => {
    void busy(resend, async () => {
      try {
        const delivery = await ctx.backend.call("resend_confirmation_code", { username: screen.username });
        ctx.dispatch({ type: "codeResent", delivery });
      } catch (error) {
        showErrors(fields, {}, formBanner, asCommandError(error));
      }
    });
  });
  return authLayout(
    ctx,
    "Check your inbox",
    `Enter the code to confirm ${screen.username}.`,
    form,
    h(
      "p",
      { class: "switch" },
      h("button", { type: "button", class: "link-button", onclick: () => ctx.dispatch({ type: "showSignIn", username: screen.username }) }, "Back to sign in"),
    ),
  );
}

/** A sign-in step this version cannot answer (e.g. a custom challenge): say so plainly. */
export function stepNotSupportedView(ctx: ViewContext, screen: { username: string; challenge: string }): HTMLElement {
  return authLayout(
    ctx,
    "One more step",
    `Your password is correct, but this account also asks for ${challengeLabel(screen.challenge)}.`,
    h(
      "div",
      { class: "form" },
      banner("info", "Coffer cannot answer this step. Ask the administrator of the user pool, or use an account without this requirement."),
      h("button", { type: "button", class: "primary", "data-testid": "back-to-sign-in", onclick: () => ctx.dispatch({ type: "showSignIn", username: screen.username }) }, "Back to sign in"),
    ),
  );
}

export function loadingView(): HTMLElement {
  return h("div", { class: "loading", role: "status" }, h("div", { class: "spinner", "aria-hidden": "true" }), h("span", { class: "visually-hidden" }, "Starting Coffer…"));
}

export function startupErrorView(ctx: ViewContext, error: CommandError): HTMLElement {
  const notices = h("div", { class: "form-banner" }, banner("error", messageFor(error).text));
  // A config file that cannot be used is a dead end without a way back to the local cloud.
  const revert = error.code.startsWith("config_")
    ? h("button", { type: "button", class: "secondary", "data-testid": "use-local-cloud" }, "Use the local cloud instead")
    : null;
  revert?.addEventListener("click", () => {
    void busy(revert, async () => {
      try {
        const backend = await ctx.backend.call("use_local_cloud", null);
        ctx.dispatch({ type: "backendChanged", backend });
      } catch (failure) {
        notices.replaceChildren(banner("error", messageFor(asCommandError(failure)).text));
      }
    });
  });
  return authLayout(
    ctx,
    "Coffer cannot reach a backend",
    "The app started, but its sign-in service is not available.",
    h(
      "div",
      { class: "form" },
      notices,
      h("button", { type: "button", class: "primary", onclick: () => window.location.reload() }, "Try again"),
      revert,
    ),
  );
}
