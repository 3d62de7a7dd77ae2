import { describe, expect, it } from "vitest";
import { emailMfaSetupErrorText, endsSession, KNOWN_CODES, messageFor } from "../src/logic/errors";

describe("error messages", () => {
  it("gives a wrong password its own message, on the password field", () => {
    expect(messageFor({ code: "wrong_username_or_password", message: "incorrect username or password" })).toEqual({
      text: "The e-mail address or password is incorrect.",
      field: "password",
    });
  });

  it("puts code and sign-up errors on their fields", () => {
    expect(messageFor({ code: "code_mismatch", message: "x" }).field).toBe("code");
    expect(messageFor({ code: "code_expired", message: "x" }).field).toBe("code");
    expect(messageFor({ code: "username_exists", message: "x" }).field).toBe("email");
  });

  it("keeps the pool's password policy in the message", () => {
    const message = messageFor({
      code: "invalid_password",
      message: "the password does not meet the pool's policy: Password did not conform with policy: Password must have uppercase characters",
    });
    expect(message.text).toBe("The user pool refused this password: Password must have uppercase characters");
    expect(message.field).toBe("password");
  });

  it("explains an unreachable endpoint with the address", () => {
    const message = messageFor({ code: "endpoint_unreachable", message: "cannot reach http://127.0.0.1:4566" });
    expect(message.text).toContain("http://127.0.0.1:4566");
    expect(message.text).toContain("Settings");
  });

  it("groups token verification failures", () => {
    expect(messageFor({ code: "token_bad_signature", message: "x" }).text).toContain("could not verify (token_bad_signature)");
    expect(messageFor({ code: "jwks_invalid", message: "x" }).text).toContain("jwks_invalid");
  });

  it("falls back to the app's sentence and code for codes it does not know", () => {
    expect(messageFor({ code: "service_error", message: "the user pool refused the request (ResourceNotFoundException)" }).text).toBe(
      "The user pool refused the request (ResourceNotFoundException). (service_error)",
    );
    expect(messageFor({ code: "brand_new", message: "" }).text).toBe("Something went wrong. (brand_new)");
  });

  it("has its own wording for every code the core documents for sign-in and sessions", () => {
    for (const code of [
      "wrong_username_or_password", "user_not_confirmed", "user_not_found", "user_disabled", "password_reset_required",
      "code_mismatch", "code_expired", "username_exists", "invalid_password", "too_many_requests", "client_secret_mismatch",
      "token_revoked", "session_expired", "missing_scope", "not_signed_in", "endpoint_unreachable", "keychain_unavailable",
      "keychain_error", "stored_tokens_corrupt", "config_not_found", "config_invalid",
    ]) {
      expect(KNOWN_CODES).toContain(code);
      expect(messageFor({ code, message: "m" }).text).not.toContain(`(${code})`);
    }
  });

  it("words a refused address for the e-mail MFA setup form, and leaves other errors to the table", () => {
    expect(emailMfaSetupErrorText({ code: "username_exists", message: "x" })).toBe(
      "Another account already uses this e-mail address. Enter an address of your own.",
    );
    expect(emailMfaSetupErrorText({ code: "invalid_parameter", message: "invalid request: Invalid email address format." })).toBe(
      "The user pool refused this address (Invalid email address format). Check it and try again.",
    );
    expect(emailMfaSetupErrorText({ code: "invalid_parameter", message: "" })).toBe("The user pool refused this address. Check it and try again.");
    expect(emailMfaSetupErrorText({ code: "too_many_requests", message: "x" })).toBeUndefined();
  });

  it("knows which errors end the session", () => {
    expect(endsSession({ code: "token_revoked", message: "" })).toBe(true);
    expect(endsSession({ code: "session_expired", message: "" })).toBe(true);
    expect(endsSession({ code: "endpoint_unreachable", message: "" })).toBe(false);
    expect(endsSession({ code: "missing_scope", message: "" })).toBe(false);
  });
});
