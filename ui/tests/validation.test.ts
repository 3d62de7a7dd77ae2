import { describe, expect, it } from "vitest";
import {
  attributeLabel,
  checkEmail,
  passwordRules,
  sanitizeCode,
  validateChangePassword,
  validateCode,
  validateNewPassword,
  validateReset,
  validateSignIn,
  validateSignUp,
} from "../src/logic/validation";

describe("validation", () => {
  it("asks for an e-mail address in the usual shape", () => {
    expect(checkEmail("")).toBe("Enter your e-mail address.");
    expect(checkEmail("ada")).toMatch(/name@example.com/);
    expect(checkEmail("ada@example")).toMatch(/name@example.com/);
    expect(checkEmail("  ada@example.com ")).toBeUndefined();
  });

  it("checks each rule of Cognito's default password policy", () => {
    const unmet = (password: string) => passwordRules(password).filter((rule) => !rule.met).map((rule) => rule.id);
    expect(unmet("")).toEqual(["length", "lower", "upper", "digit", "symbol"]);
    expect(unmet("abcdefgh")).toEqual(["upper", "digit", "symbol"]);
    expect(unmet("Abcdefg1")).toEqual(["symbol"]);
    expect(unmet("Abcdef1!")).toEqual([]);
    expect(unmet("Abc def1")).toEqual([]); // a space counts as a symbol for Cognito
  });

  it("requires both sign-in fields", () => {
    expect(validateSignIn("", "")).toEqual({ username: "Enter your e-mail address.", password: "Enter your password." });
    expect(validateSignIn("ada@example.com", "x")).toEqual({});
  });

  it("names the unmet password rules and a mismatched repeat on sign-up", () => {
    const errors = validateSignUp("ada@example.com", "abcdefgh", "abcdefgx");
    expect(errors.email).toBeUndefined();
    expect(errors.password).toBe("The password needs: an uppercase letter, a number, a symbol (! # $ …).");
    expect(errors.confirm).toBe("The passwords do not match.");
    expect(validateSignUp("ada@example.com", "Abcdef1!", "Abcdef1!")).toEqual({});
  });

  it("takes a 6-digit code, ignoring surrounding spaces", () => {
    expect(validateCode("")).toEqual({ code: "Enter the code from the message." });
    expect(validateCode("12345")).toEqual({ code: "The code is 6 digits." });
    expect(validateCode("12a456")).toEqual({ code: "The code is 6 digits." });
    expect(validateCode(" 123456 ")).toEqual({});
  });
});

describe("step validation", () => {
  it("keeps the digits of a pasted code", () => {
    expect(sanitizeCode("123 456")).toBe("123456");
    expect(sanitizeCode(" 123-456\n")).toBe("123456");
    expect(sanitizeCode("1234567")).toBe("123456");
    expect(sanitizeCode("abc")).toBe("");
  });

  it("asks a new password for the rules, a match and every required attribute", () => {
    expect(validateNewPassword("Brand-New-7", "Brand-New-7", [], {})).toEqual({});
    const errors = validateNewPassword("short", "other", ["name", "phone_number"], { name: "  ", phone_number: "+14155550100" });
    expect(errors.password).toMatch(/^The password needs: at least 8 characters/);
    expect(errors.confirm).toBe("The passwords do not match.");
    expect(errors["attr:name"]).toBe("Enter your full name.");
    expect(errors["attr:phone_number"]).toBeUndefined();
  });

  it("checks a reset: a 6-digit code and a good new password", () => {
    expect(validateReset("123456", "Brand-New-7", "Brand-New-7")).toEqual({});
    expect(validateReset("12", "Brand-New-7", "Brand-New-7")).toEqual({ code: "The code is 6 digits." });
  });

  it("refuses a password change to the same password", () => {
    expect(validateChangePassword("", "Brand-New-7", "Brand-New-7")).toEqual({ current: "Enter your current password." });
    expect(validateChangePassword("Brand-New-7", "Brand-New-7", "Brand-New-7").password).toMatch(/different/);
    expect(validateChangePassword("Old-Pass-1", "Brand-New-7", "Brand-New-7")).toEqual({});
  });

  it("names attributes for people", () => {
    expect(attributeLabel("given_name")).toBe("First name");
    expect(attributeLabel("custom:team_name")).toBe("Team name");
  });
});
