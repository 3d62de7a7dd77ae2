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

/** Keeps the digits of a typed or pasted code ("123 456", "123-456" → "123456"), at most 6. */
export function sanitizeCode(text: string): string {
  return text.replace(/\D/g, "").slice(0, 6);
}

function newPasswordError(password: string): string | undefined {
  const unmet = passwordRules(password).filter((rule) => !rule.met);
  if (password === "") return "Choose a password.";
  if (unmet.length > 0) return `The password needs: ${unmet.map((rule) => rule.label.toLowerCase()).join(", ")}.`;
  return undefined;
}

export type NewPasswordField = "password" | "confirm" | `attr:${string}`;
/** The new-password step: a password that meets the rules, repeated, and every required attribute. */
export function validateNewPassword(
  password: string,
  confirm: string,
  required: readonly string[],
  values: Readonly<Record<string, string>>,
): FieldErrors<NewPasswordField> {
  const errors: FieldErrors<NewPasswordField> = {};
  const passwordError = newPasswordError(password);
  if (passwordError) errors.password = passwordError;
  if (confirm !== password) errors.confirm = "The passwords do not match.";
  for (const name of required) {
    if ((values[name] ?? "").trim() === "") errors[`attr:${name}`] = `Enter your ${attributeLabel(name).toLowerCase()}.`;
  }
  return errors;
}

export type ResetField = "code" | "password" | "confirm";
/** The password-reset form: the code that was sent and the new password, repeated. */
export function validateReset(code: string, password: string, confirm: string): FieldErrors<ResetField> {
  const errors: FieldErrors<ResetField> = { ...validateCode(code) };
  const passwordError = newPasswordError(password);
  if (passwordError) errors.password = passwordError;
  if (confirm !== password) errors.confirm = "The passwords do not match.";
  return errors;
}

export type ChangePasswordField = "current" | "password" | "confirm";
export function validateChangePassword(current: string, password: string, confirm: string): FieldErrors<ChangePasswordField> {
  const errors: FieldErrors<ChangePasswordField> = {};
  if (current === "") errors.current = "Enter your current password.";
  const passwordError = newPasswordError(password);
  if (passwordError) errors.password = passwordError;
  else if (password === current) errors.password = "Choose a password different from the current one.";
  if (confirm !== password) errors.confirm = "The passwords do not match.";
  return errors;
}

const ATTRIBUTE_LABELS: Record<string, string> = {
  name: "Full name",
  given_name: "First name",
  family_name: "Last name",
  middle_name: "Middle name",
  nickname: "Nickname",
  preferred_username: "Preferred username",
  phone_number: "Phone number",
  email: "E-mail address",
  birthdate: "Date of birth",
  address: "Address",
  gender: "Gender",
  locale: "Locale",
  zoneinfo: "Time zone",
  website: "Website",
  picture: "Picture URL",
  profile: "Profile URL",
};

/** A person's name for a Cognito attribute (`given_name` → "First name", `custom:team` → "Team"). */
export function attributeLabel(name: string): string {
  const known = ATTRIBUTE_LABELS[name];
  if (known) return known;
  const bare = name.replace(/^custom:/, "").replace(/[_-]+/g, " ").trim();
  return bare.charAt(0).toUpperCase() + bare.slice(1);
}
