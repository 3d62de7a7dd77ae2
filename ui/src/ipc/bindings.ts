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
message: string, 
/**
 * For step answers: whether the same step can be answered again.
 */
stepKept?: boolean, };

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
who: WhoAmIView, 
/**
 * Whether this device is now remembered (the next sign-in here skips MFA).
 */
device: DeviceRememberingView, } | { "step": "mfaCode", 
/**
 * Which factor.
 */
kind: MfaKindView, 
/**
 * Where an SMS or e-mail code went (masked); `null` for the authenticator app.
 */
delivery: CodeDeliveryView | null, } | { "step": "selectMfa", 
/**
 * The factors offered, in the pool's order.
 */
options: Array<MfaKindView>, } | { "step": "setUpTotp", 
/**
 * The secret, as a QR code and as text.
 */
setup: TotpSetupView, } | { "step": "selectMfaSetup", 
/**
 * The factors that can be set up, in the pool's order.
 */
options: Array<MfaKindView>, } | { "step": "setUpEmailMfa" } | { "step": "newPassword", 
/**
 * Attribute names the pool requires and the user lacks (e.g. `name`).
 */
requiredAttributes: Array<string>, } | { "step": "unsupported", 
/**
 * The Cognito challenge name (e.g. `CUSTOM_CHALLENGE`, or `MFA_SETUP (SMS_MFA)` when
 * only SMS could be set up); for a step of a newer coffer-core this app does not
 * know, the step's name.
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
dataDir: string | null, 
/**
 * Whether the config has a `[hosted_ui]` section (browser sign-in is offered).
 */
hostedUi: boolean, 
/**
 * The identity providers configured for the hosted UI (`COGNITO`, `LocalIdP`, …); empty
 * without a `[hosted_ui]` section.
 */
hostedUiProviders: Array<string>, 
/**
 * Why the backend cannot be changed from the settings screen (e.g. `COFFER_CONFIG` names
 * the config); `null` when it can.
 */
changeUnavailable: string | null, };

export type BackendFileFormat = "amplifyOutputs" | "cofferToml";

export type BackendFileView = { 
/**
 * The file picked.
 */
file: string, 
/**
 * What kind of file it is.
 */
format: BackendFileFormat, 
/**
 * Where confirming saves it (the app's config file).
 */
savedTo: string, 
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
 * The identity pool (files, guest access), if any.
 */
identityPoolId: string | null, 
/**
 * The S3 bucket for files, if any.
 */
bucket: string | null, 
/**
 * The hosted UI's domain (browser sign-in), if any.
 */
hostedUiDomain: string | null, 
/**
 * The Cognito user-pool endpoint.
 */
endpoint: string, 
/**
 * Whether every endpoint is AWS's own (no `[endpoints]` overrides).
 */
awsEndpoints: boolean, };

export type SignInArgs = { 
/**
 * What the user typed as username (in the demo pool, the e-mail address).
 */
username: string, 
/**
 * The password; only an SRP proof of it leaves the process.
 */
password: string, 
/**
 * Remember this device once signed in, so later sign-ins here skip MFA.
 */
rememberDevice: boolean, };

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

export type DeviceRememberingView = "notRequested" | "remembered" | "notOffered" | "failed";

export type MfaKindView = "totp" | "sms" | "email";

export type TotpSetupView = { 
/**
 * The account label in the authenticator app (the e-mail or username).
 */
account: string, 
/**
 * The base32 secret, for typing into the app by hand.
 */
secret: string, 
/**
 * The `otpauth://totp/…` URI (contains the secret).
 */
otpauthUri: string, 
/**
 * The QR code of the URI, as an SVG document.
 */
qrSvg: string, };

export type MfaSettingsView = { 
/**
 * The factors turned on.
 */
enabled: Array<MfaKindView>, 
/**
 * The preferred one, if any.
 */
preferred: MfaKindView | null, };

export type MfaPreferenceView = "totp" | "sms" | "email" | "none";

export type DeviceView = { 
/**
 * The device key.
 */
deviceKey: string, 
/**
 * Its name, if it gave one.
 */
name: string | null, 
/**
 * Whether it is remembered (skips MFA).
 */
remembered: boolean, 
/**
 * When it was first confirmed (RFC 3339).
 */
created: string | null, 
/**
 * When it last signed in (RFC 3339).
 */
lastAuthenticated: string | null, 
/**
 * Whether it is this computer.
 */
isThisDevice: boolean, };

export type CodeArgs = { 
/**
 * The one-time code.
 */
code: string, };

export type ChooseMfaArgs = { 
/**
 * The factor chosen among those offered.
 */
kind: MfaKindView, };

export type NewPasswordArgs = { 
/**
 * The new password.
 */
password: string, 
/**
 * Values of the attributes the pool requires (name → value).
 */
attributes: { [key in string]: string }, };

export type EmailMfaSetupArgs = { 
/**
 * The address sign-in codes go to (surrounding spaces are ignored).
 */
email: string, };

export type HostedUiArgs = { 
/**
 * Go straight to this identity provider (`null`: the hosted UI's own choice page).
 */
provider: string | null, };

export type ForgotPasswordArgs = { 
/**
 * The username (in the demo pool, the e-mail address).
 */
username: string, };

export type ConfirmForgotPasswordArgs = { 
/**
 * The username the code was sent for.
 */
username: string, 
/**
 * The code that was sent.
 */
code: string, 
/**
 * The new password.
 */
password: string, };

export type ChangePasswordArgs = { 
/**
 * The current password.
 */
currentPassword: string, 
/**
 * The new password.
 */
newPassword: string, };

export type MfaPreferenceArgs = { 
/**
 * The preferred factor, or `none`.
 */
preference: MfaPreferenceView, };

export type ForgetDeviceArgs = { 
/**
 * The device to forget; `null` for this device.
 */
deviceKey: string | null, };

export type FilesMode = "signedIn" | "guest";

export type FilesModeArgs = { 
/**
 * Whose files.
 */
mode: FilesMode, };

export type ListFilesArgs = { 
/**
 * Whose files.
 */
mode: FilesMode, 
/**
 * The directory, relative to the person's prefix.
 */
dir: string, };

export type FileView = { 
/**
 * The key relative to the person's prefix (`docs/report.pdf`).
 */
key: string, 
/**
 * The file name.
 */
name: string, 
/**
 * Size in bytes.
 */
size: number, 
/**
 * When it was stored (RFC 3339, UTC), if the server said.
 */
modified: string | null, };

export type FileListingView = { 
/**
 * The person's prefix in the bucket (`private/<identity id>/`).
 */
prefix: string, 
/**
 * The directory listed.
 */
dir: string, 
/**
 * Subdirectories, relative to the prefix, each ending with `/`.
 */
directories: Array<string>, 
/**
 * Files directly in the directory.
 */
files: Array<FileView>, };

export type GuestAdoptionView = { 
/**
 * The moved files' keys, relative to the user's own folder.
 */
moved: Array<string>, 
/**
 * The files left in the guest folder.
 */
left: Array<LeftGuestFileView>, 
/**
 * Moved files saved under another name because theirs was taken.
 */
renamed: Array<RenamedGuestFileView>, 
/**
 * The sign-in merged the guest identity into the user's older one (which disabled it):
 * files left behind cannot be moved at a later sign-in.
 */
guestIdentityMerged: boolean, };

export type LeftGuestFileView = { 
/**
 * Its key, relative to the guest folder.
 */
key: string, 
/**
 * Why: `already_exists` (a different file of that name is in the user's folder),
 * `file_too_large` (over the 5 GiB of a server-side copy) or `invalid_key`.
 */
reason: string, };

export type RenamedGuestFileView = { 
/**
 * Its name in the guest folder.
 */
from: string, 
/**
 * Its key in the user's folder.
 */
to: string, };

export type FileKeyArgs = { 
/**
 * Whose files.
 */
mode: FilesMode, 
/**
 * The key relative to the person's prefix.
 */
key: string, };

export type UploadTargetArgs = { 
/**
 * Whose files.
 */
mode: FilesMode, 
/**
 * The directory, relative to the person's prefix.
 */
dir: string, };

export type UploadIdArgs = { 
/**
 * The upload's id, from its events.
 */
id: number, };

export type UploadState = "running" | "paused" | "completed" | "cancelled" | "failed" | "interrupted";

export type UploadEvent = { 
/**
 * The upload's id in this run of the app.
 */
id: number, 
/**
 * Whose files it goes to.
 */
mode: FilesMode, 
/**
 * The destination key relative to the person's prefix.
 */
key: string, 
/**
 * The file name.
 */
name: string, 
/**
 * Where it stands.
 */
state: UploadState, 
/**
 * Bytes stored so far.
 */
bytesDone: number, 
/**
 * The file's size.
 */
bytesTotal: number, 
/**
 * Bytes per second in this run (0 until known).
 */
rate: number, 
/**
 * Seconds left at that rate; `null` until a rate is known.
 */
etaSeconds: number | null, 
/**
 * Why it failed.
 */
error: CommandError | null, };

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
  answer_mfa_code: { args: CodeArgs; result: SignInOutcome };
  choose_mfa: { args: ChooseMfaArgs; result: SignInOutcome };
  answer_totp_setup: { args: CodeArgs; result: SignInOutcome };
  answer_new_password: { args: NewPasswordArgs; result: SignInOutcome };
  choose_mfa_setup: { args: ChooseMfaArgs; result: SignInOutcome };
  answer_email_mfa_setup: { args: EmailMfaSetupArgs; result: SignInOutcome };
  cancel_sign_in: { args: null; result: null };
  sign_in_hosted_ui: { args: HostedUiArgs; result: SignInOutcome };
  cancel_hosted_ui: { args: null; result: null };
  forgot_password: { args: ForgotPasswordArgs; result: CodeDeliveryView | null };
  confirm_forgot_password: { args: ConfirmForgotPasswordArgs; result: null };
  change_password: { args: ChangePasswordArgs; result: null };
  begin_totp_setup: { args: null; result: TotpSetupView };
  confirm_totp_setup: { args: CodeArgs; result: null };
  set_mfa_preference: { args: MfaPreferenceArgs; result: null };
  mfa_settings: { args: null; result: MfaSettingsView };
  list_devices: { args: null; result: Array<DeviceView> };
  forget_device: { args: ForgetDeviceArgs; result: string };
  list_files: { args: ListFilesArgs; result: FileListingView };
  adopt_guest_files: { args: null; result: GuestAdoptionView | null };
  watch_uploads: { args: FilesModeArgs; result: Array<UploadEvent> };
  list_uploads: { args: FilesModeArgs; result: Array<UploadEvent> };
  pick_and_upload: { args: UploadTargetArgs; result: Array<UploadEvent> };
  pause_upload: { args: UploadIdArgs; result: null };
  resume_upload: { args: UploadIdArgs; result: UploadEvent };
  replace_upload: { args: UploadIdArgs; result: UploadEvent };
  cancel_upload: { args: UploadIdArgs; result: null };
  download_file: { args: FileKeyArgs; result: string | null };
  delete_file: { args: FileKeyArgs; result: null };
  choose_backend_file: { args: null; result: BackendFileView | null };
  use_chosen_backend: { args: null; result: BackendView };
  cancel_backend_choice: { args: null; result: null };
  use_local_cloud: { args: null; result: BackendView };
};
