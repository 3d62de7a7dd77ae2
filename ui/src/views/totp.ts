// The authenticator-app setup panel, shared by sign-in (MFA_SETUP) and the security page: the
// QR code, the key for typing in by hand (with a copy button), and where to enter the first code.
import type { TotpSetupView } from "../ipc/bindings";
import { h } from "./dom";

/** The QR code as an image: an SVG document in a data URL (an <img> never runs scripts). */
export function qrDataUrl(svg: string): string {
  const bytes = new TextEncoder().encode(svg);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

/** The key in groups of four, as authenticator apps show it. */
export function groupedSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

async function copyText(text: string, fallback: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    fallback.focus();
    fallback.select();
    return document.execCommand?.("copy") ?? false;
  }
}

export function totpSetupPanel(setup: TotpSetupView): HTMLElement {
  const secret = h("input", {
    id: "totp-secret",
    class: "secret-input mono",
    readonly: true,
    spellcheck: "false",
    "data-testid": "totp-secret",
  });
  secret.value = groupedSecret(setup.secret);
  const status = h("span", { class: "copy-status", role: "status" });
  const copy = h("button", { type: "button", class: "secondary compact", "data-testid": "copy-secret" }, "Copy");
  copy.addEventListener("click", () => {
    void copyText(setup.secret, secret).then((copied) => {
      status.textContent = copied ? "Copied" : "Select the key and copy it";
      copy.textContent = copied ? "Copied ✓" : "Copy";
      setTimeout(() => {
        copy.textContent = "Copy";
        status.textContent = "";
      }, 2500);
    });
  });
  return h(
    "div",
    { class: "totp-setup", "data-testid": "totp-setup" },
    h(
      "div",
      { class: "totp-top" },
      h(
        "div",
        { class: "qr" },
        h("img", { src: qrDataUrl(setup.qrSvg), alt: `QR code to add Coffer (${setup.account}) to an authenticator app`, width: 168, height: 168, "data-testid": "totp-qr" }),
      ),
      h(
        "ol",
        { class: "totp-steps" },
        h("li", {}, "Open an authenticator app (Google Authenticator, 1Password, Authy, …)."),
        h("li", {}, "Scan the QR code, or add an account by hand with the setup key below."),
        h("li", {}, "Enter the 6-digit code the app shows for ", h("strong", { class: "account-label" }, `Coffer (${setup.account})`), "."),
      ),
    ),
    h("div", { class: "secret-block" }, h("label", { for: "totp-secret" }, "Setup key"), h("div", { class: "secret-row" }, secret, copy, status)),
  );
}
