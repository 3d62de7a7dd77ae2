// Generated from src-tauri/src/ipc.rs by ts-rs. Do not edit: run
// `COFFER_UPDATE_BINDINGS=1 cargo test -p coffer-app bindings` to regenerate.

export type CommandError = { 
/**
 * Stable machine-readable code.
 */
code: string, 
/**
 * A sentence for people (no secrets).
 */
message: string, };

export type WhoAmIView = { 
/**
 * The pool's username (a UUID in pools that sign in by e-mail).
 */
username: string, 
/**
 * The user's `sub`.
 */
sub: string, 
/**
 * The e-mail address, when the ID token carries it.
 */
email: string | null, 
/**
 * When the ID and access tokens expire (RFC 3339, UTC).
 */
expiresAt: string, };

export type SignInOutcome = { "step": "signedIn", 
/**
 * Who is signed in.
 */
who: WhoAmIView, } | { "step": "unsupported", 
/**
 * The Cognito challenge name.
 */
challenge: string, };

export type CodeDeliveryView = { 
/**
 * The masked destination, e.g. `a***@e***`.
 */
destination: string, 
/**
 * `email`, `sms`, or another medium's name.
 */
medium: string, };

export type SignUpResult = { 
/**
 * The user pool confirmed the user at once (no code to enter).
 */
confirmed: boolean, 
/**
 * Where the confirmation code went, when one was sent.
 */
delivery: CodeDeliveryView | null, };

export type BackendKind = "localCloud" | "externalLocalCloud" | "configFile";

export type BackendView = { 
/**
 * Which kind of backend.
 */
kind: BackendKind, 
/**
 * The Cognito user-pool endpoint.
 */
endpoint: string, 
/**
 * The AWS region.
 */
region: string, 
/**
 * The user pool.
 */
userPoolId: string, 
/**
 * The app client.
 */
clientId: string, 
/**
 * The config file in use.
 */
configPath: string | null, 
/**
 * Why that file was chosen (e.g. "named by COFFER_CONFIG").
 */
configOrigin: string | null, 
/**
 * The local cloud's data directory.
 */
dataDir: string | null, };

export type SignInArgs = { 
/**
 * What the user typed as username (in the demo pool, the e-mail address).
 */
username: string, 
/**
 * The password; only an SRP proof of it leaves the process.
 */
password: string, };

export type SignUpArgs = { 
/**
 * The e-mail address, which is also the username.
 */
email: string, 
/**
 * The new password (Cognito's SignUp requires it in the request).
 */
password: string, };

export type ConfirmSignUpArgs = { 
/**
 * The username that signed up.
 */
username: string, 
/**
 * The code that was sent.
 */
code: string, };

export type ResendCodeArgs = { 
/**
 * The username that signed up.
 */
username: string, };

/** Every IPC command: its `args` (or `null`) and its result. */
export type Commands = {
  backend_info: { args: null; result: BackendView };
  restore_session: { args: null; result: WhoAmIView | null };
  sign_in: { args: SignInArgs; result: SignInOutcome };
  sign_up: { args: SignUpArgs; result: SignUpResult };
  confirm_sign_up: { args: ConfirmSignUpArgs; result: null };
  resend_confirmation_code: { args: ResendCodeArgs; result: CodeDeliveryView | null };
  whoami: { args: null; result: WhoAmIView };
  refresh: { args: null; result: WhoAmIView };
  sign_out: { args: null; result: null };
  sign_out_everywhere: { args: null; result: null };
  ui_ready: { args: null; result: null };
};
