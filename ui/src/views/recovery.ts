// Forgotten password: ask for a code, then enter it with the new password.
import type { CodeDeliveryView } from "../ipc/bindings";
import { asCommandError } from "../ipc/backend";
import { deliveryText, type Notice } from "../logic/machine";
import { checkEmail, hasErrors, passwordRules, validateReset } from "../logic/validation";
import { authLayout, noticeBanner, showErrors } from "./auth";
import type { ViewContext } from "./context";
import { busy, field, h } from "./dom";
import { codeField } from "./steps";

function backToSignIn(ctx: ViewContext, username: string): HTMLElement {
  return h(
    "p",
    { class: "switch" },
    h("button", { type: "button", class: "link-button", "data-testid": "back-to-sign-in", onclick: () => ctx.dispatch({ type: "showSignIn", username }) }, "Back to sign in"),
  );
}

export function forgotPasswordView(ctx: ViewContext, screen: { username: string; notice?: Notice }): HTMLElement {
  const email = field({ name: "username", label: "E-mail address", type: "email", autocomplete: "username", value: screen.username });
  const formBanner = noticeBanner(screen.notice);
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "forgot-submit" }, "Send a reset code");
  const form = h("form", { class: "form", novalidate: true, "data-testid": "forgot-form" }, formBanner, email.wrapper, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problem = checkEmail(email.input.value);
    showErrors({ username: email }, problem ? { username: problem } : {}, formBanner);
    if (problem) return;
    const username = email.input.value.trim();
    void busy(submit, async () => {
      try {
        const delivery = await ctx.backend.call("forgot_password", { username });
        ctx.dispatch({ type: "resetCodeSent", username, delivery });
      } catch (error) {
        showErrors({ username: email }, {}, formBanner, asCommandError(error));
      }
    });
  });
  return authLayout(ctx, "Reset your password", "We'll send a code to the address or phone on your account.", form, backToSignIn(ctx, screen.username));
}

export function resetPasswordView(ctx: ViewContext, screen: { username: string; delivery: CodeDeliveryView | null; notice?: Notice }): HTMLElement {
  const formBanner = noticeBanner(screen.notice);
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "reset-submit" }, "Change password");
  const code = codeField("Reset code", deliveryText(screen.delivery));
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
  const fields = { code, password, confirm };
  const resend = h("button", { type: "button", class: "secondary", "data-testid": "resend-reset-code" }, "Send a new code");
  const form = h("form", { class: "form", novalidate: true, "data-testid": "reset-form" }, formBanner, code.wrapper, password.wrapper, confirm.wrapper, submit, resend);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const errors = validateReset(code.input.value, password.input.value, confirm.input.value);
    showErrors(fields, errors, formBanner);
    if (hasErrors(errors)) return;
    void busy(submit, async () => {
      try {
        await ctx.backend.call("confirm_forgot_password", { username: screen.username, code: code.input.value, password: password.input.value });
        ctx.dispatch({ type: "passwordReset", username: screen.username });
      } catch (error) {
        showErrors(fields, {}, formBanner, asCommandError(error));
      }
    });
  });
  resend.addEventListener("click", () => {
    void busy(resend, async () => {
      try {
        const delivery = await ctx.backend.call("forgot_password", { username: screen.username });
        ctx.dispatch({ type: "resetCodeSent", username: screen.username, delivery });
      } catch (error) {
        showErrors(fields, {}, formBanner, asCommandError(error));
      }
    });
  });
  return authLayout(ctx, "Choose a new password", `Enter the code we sent for ${screen.username}, then your new password.`, form, backToSignIn(ctx, screen.username));
}
