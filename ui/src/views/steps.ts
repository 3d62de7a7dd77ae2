// The sign-in steps after the password: a one-time code, choosing a second factor, setting one
// up when the pool requires it (choosing which, an authenticator app or an e-mail address),
// and choosing a new password.
import type { CodeDeliveryView, CommandError, MfaKindView, SignInOutcome, TotpSetupView } from "../ipc/bindings";
import { asCommandError } from "../ipc/backend";
import { codeMismatchText, emailMfaSetupErrorText } from "../logic/errors";
import { mfaCodeHint, mfaKindLabel, type Notice } from "../logic/machine";
import { attributeLabel, checkEmail, hasErrors, passwordRules, sanitizeCode, validateCode, validateNewPassword } from "../logic/validation";
import { authLayout, noticeBanner, showErrors } from "./auth";
import type { ViewContext } from "./context";
import { busy, field, h, type Field } from "./dom";
import { totpSetupPanel } from "./totp";

/** A 6-digit one-time-code field: digits only, and a pasted "123 456" becomes "123456". */
export function codeField(label: string, hint: string, onComplete?: () => void): Field {
  const code = field({ name: "code", label, autocomplete: "one-time-code", inputmode: "numeric", hint });
  code.input.classList.add("code-input");
  code.input.setAttribute("pattern", "[0-9]*");
  code.input.setAttribute("aria-label", `${label}, 6 digits`);
  let pasted = false;
  code.input.addEventListener("paste", () => {
    pasted = true;
  });
  code.input.addEventListener("input", () => {
    const clean = sanitizeCode(code.input.value);
    if (clean !== code.input.value) code.input.value = clean;
    // A pasted complete code is submitted at once; typed codes wait for Enter.
    if (pasted && clean.length === 6) onComplete?.();
    pasted = false;
  });
  return code;
}

/** Shows a refused answer: in place when the step is kept, else the machine goes back to sign-in. */
function refused(ctx: ViewContext, username: string, error: CommandError, code: Field, formBanner: HTMLElement, kind: MfaKindView | "totp"): void {
  if (error.stepKept === false) {
    ctx.dispatch({ type: "stepRefused", username, error });
    return;
  }
  if (error.code === "code_mismatch") {
    showErrors({ code }, { code: codeMismatchText(kind) }, formBanner);
    code.input.select();
    return;
  }
  showErrors({ code }, {}, formBanner, error);
}

function cancelLink(ctx: ViewContext, username: string): HTMLElement {
  return h(
    "p",
    { class: "switch" },
    h(
      "button",
      {
        type: "button",
        class: "link-button",
        "data-testid": "cancel-sign-in",
        onclick: () => {
          void ctx.backend.call("cancel_sign_in", null).catch(() => undefined);
          ctx.dispatch({ type: "cancelSignIn", username });
        },
      },
      "Cancel and go back to sign in",
    ),
  );
}

function answered(ctx: ViewContext, username: string, outcome: SignInOutcome): void {
  ctx.dispatch({ type: "signInAnswered", username, outcome });
}

export function mfaCodeView(
  ctx: ViewContext,
  screen: { username: string; kind: MfaKindView; delivery: CodeDeliveryView | null; notice?: Notice },
): HTMLElement {
  const formBanner = noticeBanner(screen.notice);
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "mfa-submit" }, "Verify");
  const code = codeField(screen.kind === "totp" ? "Authentication code" : "Verification code", mfaCodeHint(screen.kind, screen.delivery), () => form.requestSubmit());
  const form = h("form", { class: "form", novalidate: true, "data-testid": "mfa-form", "data-kind": screen.kind }, formBanner, code.wrapper, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const errors = validateCode(code.input.value);
    showErrors({ code }, errors, formBanner);
    if (hasErrors(errors) || submit.disabled) return;
    void busy(submit, async () => {
      try {
        answered(ctx, screen.username, await ctx.backend.call("answer_mfa_code", { code: code.input.value }));
      } catch (error) {
        refused(ctx, screen.username, asCommandError(error), code, formBanner, screen.kind);
      }
    });
  });
  const title = screen.kind === "totp" ? "Enter your authentication code" : screen.kind === "sms" ? "Check your phone" : "Check your inbox";
  return authLayout(ctx, title, `Two-step verification for ${screen.username}.`, form, cancelLink(ctx, screen.username));
}

/** A refused answer on a form without fields of its own: a banner, or back to sign-in when the step is gone. */
function refusedInBanner(ctx: ViewContext, username: string, error: CommandError, formBanner: HTMLElement): void {
  if (error.stepKept === false) ctx.dispatch({ type: "stepRefused", username, error });
  else showErrors({}, {}, formBanner, error);
}

/** A radio group of second factors (the first one checked) and a submit button that sends the choice. */
function factorChoiceForm(
  ctx: ViewContext,
  screen: { username: string; options: MfaKindView[] },
  form: { testid: string; legend: string; describe: (kind: MfaKindView) => string; send: (kind: MfaKindView) => Promise<SignInOutcome> },
): HTMLFormElement {
  const formBanner = noticeBanner(undefined);
  const choices = screen.options.map((kind, index) =>
    h(
      "label",
      { class: "choice", "data-testid": `choose-${kind}` },
      h("input", { type: "radio", name: "mfaKind", value: kind, checked: index === 0 }),
      h("span", { class: "choice-text" }, h("strong", {}, mfaKindLabel(kind)), h("span", { class: "muted" }, form.describe(kind))),
    ),
  );
  const submit = h("button", { type: "submit", class: "primary", "data-testid": `${form.testid}-submit` }, "Continue");
  const group = h("fieldset", { class: "choices" }, h("legend", { class: "visually-hidden" }, form.legend), ...choices);
  const element = h("form", { class: "form", novalidate: true, "data-testid": `${form.testid}-form` }, formBanner, group, submit);
  element.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = element.querySelector<HTMLInputElement>("input[name=mfaKind]:checked")?.value as MfaKindView | undefined;
    if (!chosen || submit.disabled) return;
    void busy(submit, async () => {
      try {
        answered(ctx, screen.username, await form.send(chosen));
      } catch (error) {
        refusedInBanner(ctx, screen.username, asCommandError(error), formBanner);
      }
    });
  });
  return element;
}

export function selectMfaView(ctx: ViewContext, screen: { username: string; options: MfaKindView[] }): HTMLElement {
  const form = factorChoiceForm(ctx, screen, {
    testid: "select-mfa",
    legend: "Verification method",
    describe: (kind) => (kind === "totp" ? "A code from the app on your phone" : kind === "sms" ? "We text a code to your phone" : "We e-mail you a code"),
    send: (kind) => ctx.backend.call("choose_mfa", { kind }),
  });
  return authLayout(ctx, "How should we verify it's you?", "Your account has more than one verification method. Choose one for this sign-in.", form, cancelLink(ctx, screen.username));
}

/** The pool requires two-step verification and the account has none: choose what to set up. */
export function selectMfaSetupView(ctx: ViewContext, screen: { username: string; options: MfaKindView[] }): HTMLElement {
  const form = factorChoiceForm(ctx, screen, {
    testid: "select-mfa-setup",
    legend: "Second factor to set up",
    describe: (kind) =>
      kind === "totp"
        ? "Scan a QR code with an authenticator app on your phone; it shows a new code every 30 seconds"
        : kind === "sms"
          ? "We text a code to your phone at each sign-in"
          : "We e-mail a code to an address you choose at each sign-in",
    send: (kind) => ctx.backend.call("choose_mfa_setup", { kind }),
  });
  return authLayout(
    ctx,
    "Choose how to protect your account",
    `${screen.username} requires two-step verification: after your password, Coffer will ask for a code. Choose where the codes come from.`,
    form,
    cancelLink(ctx, screen.username),
  );
}

/** E-mail codes during sign-in: the address they go to. A code is sent there at once. */
export function emailMfaSetupView(ctx: ViewContext, screen: { username: string }): HTMLElement {
  const formBanner = noticeBanner({ kind: "info", text: "This account requires two-step verification. We will send a code to this address now, and at each sign-in." });
  // The username is often the address itself: offer it, editable.
  const email = field({
    name: "email",
    label: "E-mail address for sign-in codes",
    type: "email",
    autocomplete: "email",
    value: checkEmail(screen.username) === undefined ? screen.username.trim() : "",
  });
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "email-mfa-setup-submit" }, "Send code");
  const form = h("form", { class: "form", novalidate: true, "data-testid": "email-mfa-setup-form" }, formBanner, email.wrapper, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problem = checkEmail(email.input.value);
    showErrors({ email }, problem ? { email: problem } : {}, formBanner);
    if (problem || submit.disabled) return;
    void busy(submit, async () => {
      try {
        answered(ctx, screen.username, await ctx.backend.call("answer_email_mfa_setup", { email: email.input.value.trim() }));
      } catch (error) {
        const commandError = asCommandError(error);
        const text = emailMfaSetupErrorText(commandError);
        if (commandError.stepKept === false || !text) {
          refusedInBanner(ctx, screen.username, commandError, formBanner);
          return;
        }
        showErrors({ email }, { email: text }, formBanner);
        email.input.select();
      }
    });
  });
  return authLayout(ctx, "Get sign-in codes by e-mail", `Protect ${screen.username} with a code we e-mail you.`, form, cancelLink(ctx, screen.username));
}

export function totpSetupView(ctx: ViewContext, screen: { username: string; setup: TotpSetupView }): HTMLElement {
  const formBanner = noticeBanner({ kind: "info", text: "This account requires two-step verification. Set up an authenticator app to finish signing in." });
  const code = codeField("Code from the app", "The code changes every 30 seconds; enter the current one.", () => form.requestSubmit());
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "totp-setup-submit" }, "Verify and sign in");
  const form = h("form", { class: "form", novalidate: true, "data-testid": "totp-setup-form" }, formBanner, totpSetupPanel(screen.setup), code.wrapper, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const errors = validateCode(code.input.value);
    showErrors({ code }, errors, formBanner);
    if (hasErrors(errors) || submit.disabled) return;
    void busy(submit, async () => {
      try {
        answered(ctx, screen.username, await ctx.backend.call("answer_totp_setup", { code: code.input.value }));
      } catch (error) {
        refused(ctx, screen.username, asCommandError(error), code, formBanner, "totp");
      }
    });
  });
  const view = authLayout(ctx, "Set up your authenticator app", `Protect ${screen.username} with a code from your phone.`, form, cancelLink(ctx, screen.username));
  view.querySelector(".auth-card")?.classList.add("wide");
  return view;
}

export function newPasswordView(ctx: ViewContext, screen: { username: string; requiredAttributes: string[] }): HTMLElement {
  const password = field({ name: "password", label: "New password", type: "password", autocomplete: "new-password" });
  const confirm = field({ name: "confirm", label: "Repeat new password", type: "password", autocomplete: "new-password" });
  const rules = h("ul", { class: "rules", "aria-label": "Password requirements" });
  const renderRules = () =>
    rules.replaceChildren(
      ...passwordRules(password.input.value).map((rule) =>
        h("li", { class: rule.met ? "met" : "", "data-met": String(rule.met) }, h("span", { class: "tick", "aria-hidden": "true" }, rule.met ? "✓" : "•"), ` ${rule.label}`),
      ),
    );
  renderRules();
  password.input.addEventListener("input", renderRules);
  password.wrapper.insertBefore(rules, password.wrapper.querySelector(".field-error"));
  const attributes: Record<string, Field> = {};
  for (const name of screen.requiredAttributes) {
    attributes[`attr:${name}`] = field({
      name: `attr:${name}`,
      label: attributeLabel(name),
      type: name === "phone_number" ? "tel" : name === "birthdate" ? "date" : "text",
      autocomplete: name === "name" ? "name" : name === "given_name" ? "given-name" : name === "family_name" ? "family-name" : name === "phone_number" ? "tel" : undefined,
      hint: name === "phone_number" ? "With the country code, e.g. +14155550100." : undefined,
    });
  }
  const fields: Record<string, Field> = { password, confirm, ...attributes };
  const formBanner = noticeBanner({ kind: "info", text: "Your password was set by an administrator and must be changed before you continue." });
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "new-password-submit" }, "Set password and sign in");
  const form = h(
    "form",
    { class: "form", novalidate: true, "data-testid": "new-password-form" },
    formBanner,
    ...Object.values(attributes).map((f) => f.wrapper),
    password.wrapper,
    confirm.wrapper,
    submit,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values: Record<string, string> = {};
    for (const name of screen.requiredAttributes) values[name] = attributes[`attr:${name}`]?.input.value ?? "";
    const errors = validateNewPassword(password.input.value, confirm.input.value, screen.requiredAttributes, values);
    showErrors(fields, errors, formBanner);
    if (hasErrors(errors)) return;
    void busy(submit, async () => {
      try {
        answered(ctx, screen.username, await ctx.backend.call("answer_new_password", { password: password.input.value, attributes: values }));
      } catch (error) {
        const commandError = asCommandError(error);
        if (commandError.stepKept === false) ctx.dispatch({ type: "stepRefused", username: screen.username, error: commandError });
        else showErrors(fields, {}, formBanner, commandError);
      }
    });
  });
  return authLayout(ctx, "Choose a new password", `Finish setting up ${screen.username}.`, form, cancelLink(ctx, screen.username));
}

