import { describe, expect, it } from "vitest";
import { checkEmail, passwordRules, validateCode, validateSignIn, validateSignUp } from "../src/logic/validation";

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
