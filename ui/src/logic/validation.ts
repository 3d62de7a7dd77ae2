// Form checks done before anything is sent. The user pool stays the authority (its password
// policy may differ from the default shown here); these catch the obvious early, with wording
// that says what to do.

export type FieldErrors<F extends string> = Partial<Record<F, string>>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkEmail(value: string): string | undefined {
  const email = value.trim();
  if (email === "") return "Enter your e-mail address.";
  if (!EMAIL.test(email)) return "Enter an e-mail address like name@example.com.";
  return undefined;
}

/** One rule of Cognito's default password policy, with whether `password` meets it. */
export interface PasswordRule {
  id: "length" | "lower" | "upper" | "digit" | "symbol";
  label: string;
  met: boolean;
}

// Cognito's symbol set for password policies.
const SYMBOLS = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/;

export function passwordRules(password: string): PasswordRule[] {
  return [
    { id: "length", label: "At least 8 characters", met: [...password].length >= 8 },
    { id: "lower", label: "A lowercase letter", met: /[a-z]/.test(password) },
    { id: "upper", label: "An uppercase letter", met: /[A-Z]/.test(password) },
    { id: "digit", label: "A number", met: /[0-9]/.test(password) },
    { id: "symbol", label: "A symbol (! # $ …)", met: SYMBOLS.test(password) },
  ];
}

export type SignInField = "username" | "password";
export function validateSignIn(username: string, password: string): FieldErrors<SignInField> {
  const errors: FieldErrors<SignInField> = {};
  if (username.trim() === "") errors.username = "Enter your e-mail address.";
  if (password === "") errors.password = "Enter your password.";
  return errors;
}

export type SignUpField = "email" | "password" | "confirm";
export function validateSignUp(
  email: string,
  password: string,
  confirm: string,
): FieldErrors<SignUpField> {
  const errors: FieldErrors<SignUpField> = {};
  const emailError = checkEmail(email);
  if (emailError) errors.email = emailError;
  const unmet = passwordRules(password).filter((rule) => !rule.met);
  if (password === "") errors.password = "Choose a password.";
  else if (unmet.length > 0)
    errors.password = `The password needs: ${unmet.map((rule) => rule.label.toLowerCase()).join(", ")}.`;
  if (confirm !== password) errors.confirm = "The passwords do not match.";
  return errors;
}

export type ConfirmField = "code";
export function validateCode(code: string): FieldErrors<ConfirmField> {
  const trimmed = code.trim();
  if (trimmed === "") return { code: "Enter the code from the message." };
  if (!/^\d{6}$/.test(trimmed)) return { code: "The code is 6 digits." };
  return {};
}

export function hasErrors(errors: object): boolean {
  return Object.keys(errors).length > 0;
}
