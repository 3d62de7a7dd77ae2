// What to tell the user for each stable error code from the app (`CommandError.code`). The
// codes come from coffer-core's `code()`; codes this table does not know fall back to the
// app's own sentence, so a newer core never shows a blank error.
import type { CommandError } from "../ipc/bindings";

export interface ErrorMessage {
  /** What to show. */
  text: string;
  /** The form field the error belongs to, when there is one (it gets aria-invalid and focus). */
  field?: string;
}

type Entry = string | ((error: CommandError) => string);

const MESSAGES: Record<string, { text: Entry; field?: string }> = {
  wrong_username_or_password: { text: "The e-mail address or password is incorrect.", field: "password" },
  user_not_found: { text: "There is no account with this e-mail address.", field: "username" },
  user_not_confirmed: { text: "This account is not confirmed yet. Enter the code we sent you." },
  user_disabled: { text: "This account has been disabled. Contact the administrator." },
  password_reset_required: {
    text: "The administrator requires a new password for this account. Request a code to choose one.",
  },
  code_mismatch: { text: "That code is not right. Check the latest message and try again.", field: "code" },
  code_expired: { text: "This code has expired. Send a new one and use it instead.", field: "code" },
  username_exists: { text: "An account with this e-mail address already exists. Sign in instead.", field: "email" },
  invalid_password: {
    text: (error) => {
      const policy = error.message.split(": ").slice(1).join(": ");
      return policy
        ? `The user pool refused this password: ${policy.replace(/^Password did not conform with policy: /, "")}`
        : "The user pool refused this password. Choose a stronger one.";
    },
    field: "password",
  },
  invalid_parameter: { text: (error) => `The user pool refused the request: ${error.message.replace(/^invalid request: /, "")}` },
  too_many_requests: { text: "Too many attempts. Wait a minute, then try again." },
  client_secret_mismatch: { text: "The app client's secret in the config file does not match the app client." },
  token_revoked: { text: "You were signed out, perhaps on another device. Sign in again." },
  session_expired: { text: "Your sign-in has expired. Sign in again." },
  missing_scope: {
    text: "This browser sign-in may not manage the account: the app client does not grant the aws.cognito.signin.user.admin scope. Sign in with your password, or ask the backend's owner to allow the scope.",
  },
  not_signed_in: { text: "You are not signed in." },
  no_pending_step: { text: "This sign-in is no longer waiting for an answer. Sign in again." },
  wrong_step: { text: "This sign-in is waiting for a different step. Go back and sign in again." },
  missing_attributes: {
    text: (error) => `Fill in the details the user pool requires: ${error.message.replace(/^the pool requires these attributes: /, "")}.`,
  },
  device_not_remembered: { text: "This device is not remembered, so there is nothing to forget here." },
  endpoint_unreachable: {
    text: (error) => `Cannot reach the sign-in service (${error.message.replace(/^cannot reach /, "")}). Check the connection or the backend in Settings.`,
  },
  keychain_unavailable: {
    text: "The system keychain is not available, so Coffer cannot keep you signed in. Unlock your keyring (Secret Service) and try again.",
  },
  keychain_error: { text: "The system keychain refused the request. Unlock your keyring and try again." },
  stored_tokens_corrupt: { text: "The saved sign-in could not be read. Sign in again." },
  config_not_found: { text: (error) => `No backend is configured: ${error.message}` },
  config_invalid: { text: (error) => `The config file is not valid: ${error.message}` },
  config_unreadable: { text: (error) => `The config file cannot be read: ${error.message}` },
  // Choosing a backend file in the settings (or a saved config at start-up).
  config_not_json: { text: (error) => `This file is not valid JSON, so it is not an amplify_outputs.json (${error.message.replace(/^.* is not JSON \(|\)$/g, "")}).` },
  config_not_toml: { text: (error) => `This file is not a TOML config: ${error.message.replace(/^not a TOML config /, "")}` },
  config_missing_field: { text: (error) => missingFieldText(error) },
  config_unsupported_version: { text: "This amplify_outputs.json is in a newer format than Coffer reads (version 1.x)." },
  config_has_client_secret: {
    text: "This config has an app client secret. Coffer does not save secrets in its settings: use an app client without a secret, as desktop apps should.",
  },
  config_too_large: { text: "This file is far too large to be a backend's config. Choose the amplify_outputs.json or coffer.toml." },
  config_write_failed: { text: (error) => `Coffer could not save the config: ${error.message}` },
  backend_pinned: { text: (error) => `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.` },
  backend_is_local_cloud: { text: "This file describes the local cloud Coffer already runs inside the app: it is the backend in use." },
  no_backend_chosen: { text: "No backend file is waiting to be used. Choose it again." },
  no_config_dir: { text: "This system has no configuration directory for Coffer to save a backend in." },
  backend_change_unavailable: { text: "This app cannot change its backend." },
  local_cloud_port_taken: { text: (error) => `The local cloud cannot start: ${error.message}` },
  local_cloud_failed: { text: (error) => error.message },
  no_data_dir: { text: (error) => error.message },
  // Files and uploads.
  access_denied: { text: "The storage service refused access to this file. Sign in again; if it persists, check the identity pool's roles." },
  not_found: { text: "This file is no longer there. The list has been refreshed." },
  missing_or_unreadable: { text: "This file is not there, or it cannot be read (the storage service does not say which). Refresh the list to see what is stored." },
  already_exists: { text: "A file with this name is already in this folder. Nothing was replaced: choose “Replace” to replace it." },
  upload_in_progress: { text: "This file is already being uploaded to this folder. Wait for that upload to finish." },
  local_file_exists: { text: "A file with this name already exists there. Nothing was replaced." },
  upload_not_replaceable: { text: "This upload was not refused for an existing file, so there is nothing to replace." },
  no_bucket: { text: "No bucket is configured for files. Add `bucket` to the config file (Settings shows which one)." },
  no_such_bucket: { text: "The configured bucket does not exist." },
  not_configured: { text: (error) => `Files are not available: ${error.message.replace(/^the config has no /, "the config file has no ")}.` },
  guest_access_disabled: { text: "This identity pool does not allow guests. Sign in to use files." },
  identity_refused: { text: (error) => `The identity pool refused access: ${error.message.replace(/^the identity pool refused the request: /, "")}` },
  credentials_expired: { text: "The temporary storage credentials expired. Try again." },
  upload_gone: { text: "The server no longer has this upload's parts. Upload the file again." },
  file_too_large: { text: "This file is too large for one upload (the limit is 5 TB)." },
  file_changed: { text: "The file changed on disk since the upload began. Upload it again." },
  local_file_error: { text: (error) => `Cannot read or write the local file: ${error.message}` },
  journal_error: { text: "Coffer could not keep the upload's resume record. The upload can still finish, but not resume after a restart." },
  storage_service_error: { text: (error) => `The storage service refused the request: ${error.message}` },
  dot_segment: { text: "A file or folder name cannot be \".\" or \"..\"." },
  empty_name: { text: "A file name cannot be empty." },
  empty_segment: { text: "A folder name cannot be empty." },
  slash_in_name: { text: "A file name cannot contain \"/\"." },
  backslash_in_name: { text: "A file or folder name cannot contain \"\\\"." },
  control_character_in_name: { text: "This file name contains control characters, which storage keys cannot hold. Rename the file first." },
  key_too_long: { text: "The file's path is too long for the storage service (1024 bytes at most)." },
  upload_not_found: { text: "This upload is no longer known to the app." },
  upload_not_running: { text: "This upload is not running." },
  upload_not_resumable: { text: "This upload cannot be resumed: it is running or already finished." },
  dialog_failed: { text: "The file dialog could not be opened." },
  hosted_ui_cancelled: { text: "Browser sign-in cancelled. You can sign in with your password, or try again." },
  hosted_ui_timed_out: { text: "The browser did not come back in time. Try again, and finish signing in within 5 minutes." },
  hosted_ui_denied: { text: (error) => `The sign-in page refused the sign-in${error.message.includes("(") ? ` (${error.message.split("(")[1]!.split(")")[0]})` : ""}. Try again, or sign in with your password.` },
  hosted_ui_not_configured: { text: "Browser sign-in is not set up for this backend: the config file has no usable [hosted_ui] section." },
  hosted_ui_no_loopback_redirect: { text: "Browser sign-in needs a loopback redirect URI (http://127.0.0.1:PORT/PATH) in the config's [hosted_ui] redirect_uris." },
  loopback_port_unavailable: { text: "Another program is using the port browser sign-in returns to. Close it, or configure another redirect URI." },
  browser_unavailable: { text: "Coffer could not open your web browser for the sign-in page." },
  hosted_ui_malformed_callback: { text: "The browser came back without a sign-in result. Try again." },
  token_request_refused: { text: "The sign-in service refused to finish the browser sign-in. Try again." },
};

/** A required setting missing from a config or amplify_outputs.json, named in people's words. */
function missingFieldText(error: CommandError): string {
  const field = /`([^`]+)` is missing/.exec(error.message)?.[1];
  if (!field) return `The file lacks a required setting: ${error.message}`;
  const what = field.endsWith("user_pool_id")
    ? "no Cognito user pool"
    : field.endsWith("client_id")
      ? "no app client"
      : field.endsWith("region")
        ? "no AWS region"
        : field === "auth"
          ? "no auth section (is auth part of this Amplify app?)"
          : "a required setting missing";
  return `The file has ${what}: \`${field}\` is missing.`;
}

const TOKEN_PREFIX = "token_";

export function messageFor(error: CommandError): ErrorMessage {
  const entry = MESSAGES[error.code];
  if (entry) {
    const text = typeof entry.text === "function" ? entry.text(error) : entry.text;
    return entry.field ? { text, field: entry.field } : { text };
  }
  if (error.code.startsWith(TOKEN_PREFIX) || error.code === "jwks_invalid") {
    return { text: `The sign-in service sent a token Coffer could not verify (${error.code}). Sign in again; if it persists, check the backend.` };
  }
  const sentence = error.message ? error.message.charAt(0).toUpperCase() + error.message.slice(1) : "Something went wrong.";
  return { text: `${sentence.replace(/\.?$/, ".")} (${error.code})` };
}

/** The message for a wrong one-time code, worded for where the code came from. */
export function codeMismatchText(kind: "totp" | "sms" | "email"): string {
  return kind === "totp"
    ? "That code is not right. Enter the code your authenticator app shows now (it changes every 30 seconds)."
    : "That code is not right. Check the latest message and try again.";
}

/**
 * Why the address on the e-mail MFA setup form was refused, worded for that form (the general
 * table speaks of signing up); `undefined` for codes that are not about the address.
 */
export function emailMfaSetupErrorText(error: CommandError): string | undefined {
  switch (error.code) {
    case "username_exists":
      return "Another account already uses this e-mail address. Enter an address of your own.";
    case "invalid_parameter": {
      const detail = error.message.replace(/^invalid request: /, "").replace(/\.$/, "");
      return `The user pool refused this address${detail ? ` (${detail})` : ""}. Check it and try again.`;
    }
    default:
      return undefined;
  }
}

/** Errors that mean the stored session is gone: the app returns to sign-in. */
export function endsSession(error: CommandError): boolean {
  return ["token_revoked", "session_expired", "not_signed_in", "stored_tokens_corrupt"].includes(error.code);
}

/** Every code with its own wording (for tests and docs). */
export const KNOWN_CODES: readonly string[] = Object.keys(MESSAGES);
