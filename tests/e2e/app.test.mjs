// End to end through the real window: the Coffer app (its in-process local cloud on a pinned
// port, a temporary data directory) driven by tauri-driver + WebKitWebDriver. Needs a display
// (Xvfb) and a Secret Service keychain (gnome-keyring in a private D-Bus session); see
// scripts/lib/run-test-suites. Saves a PNG of each screen to tests/artifacts/screenshots/.
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, afterEach, before, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { LocalCloudAdmin } from "./admin.mjs";
import { WebDriver } from "./webdriver.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const application = process.env.COFFER_APP_BIN;
const tauriDriver = process.env.TAURI_DRIVER ?? "tauri-driver";
const shots = join(root, "tests/artifacts/screenshots");
const ENTER = "\uE007";

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
    server.on("error", reject);
  });
}

const state = {};

before(async () => {
  assert.ok(application, "set COFFER_APP_BIN to the app binary");
  mkdirSync(shots, { recursive: true });
  state.dataDir = mkdtempSync(join(tmpdir(), "coffer-e2e-"));
  // The picker path without a native dialog (WebDriver cannot drive one, nor synthesise a drop
  // with paths): the app's dev flag COFFER_E2E_PICK makes "Upload files…" pick these files, and
  // COFFER_E2E_SAVE_DIR makes "Download" save into this directory. Uploads then run through the
  // same Rust code as the picker and the drop handler.
  state.pickDir = join(state.dataDir, "to-upload");
  state.saveDir = join(state.dataDir, "downloads");
  mkdirSync(state.pickDir, { recursive: true });
  mkdirSync(state.saveDir, { recursive: true });
  state.pickedFile = join(state.pickDir, "Quarterly report é.bin");
  // The same for the settings' backend-file dialog (COFFER_E2E_BACKEND_FILE); the chosen backend
  // is saved under a private XDG_CONFIG_HOME, never the real ~/.config.
  state.backendFile = join(state.dataDir, "amplify_outputs.json");
  state.savedConfig = join(state.dataDir, "config", "coffer", "coffer.toml");
  state.cloudPort = await freePort();
  state.driverPort = await freePort();
  state.nativePort = await freePort();
  startDriver();
  state.wd = new WebDriver(`http://127.0.0.1:${state.driverPort}`, { restartDriver });
  await state.wd.waitUntilUp();
});

/**
 * Starts tauri-driver (which starts WebKitWebDriver, which starts the app) in a process group
 * of its own, so that stopping it stops all three.
 */
function startDriver() {
  state.driver = spawn(tauriDriver, ["--port", String(state.driverPort), "--native-port", String(state.nativePort)], {
    env: {
      ...process.env,
      COFFER_DATA_DIR: state.dataDir,
      COFFER_LOCAL_CLOUD_ADDR: `127.0.0.1:${state.cloudPort}`,
      COFFER_E2E_PICK: state.pickedFile,
      COFFER_E2E_SAVE_DIR: state.saveDir,
      COFFER_E2E_BACKEND_FILE: state.backendFile,
      XDG_CONFIG_HOME: join(state.dataDir, "config"),
      RUST_LOG: process.env.RUST_LOG ?? "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
}

/** The driver's whole process group: tauri-driver, WebKitWebDriver, the app. */
function killDriverGroup(driver) {
  try {
    process.kill(-driver.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/**
 * Stops the driver's whole process group (also when tauri-driver itself has exited and left
 * WebKitWebDriver or the app behind) and waits until tauri-driver has exited.
 */
async function stopDriver() {
  const driver = state.driver;
  if (!driver) return;
  const running = driver.exitCode === null && driver.signalCode === null;
  const exited = running ? new Promise((resolveExit) => driver.once("exit", resolveExit)) : undefined;
  killDriverGroup(driver);
  await exited;
  // The rest of the group ends a moment later; the ports must be free before a restart.
  await new Promise((resolveWait) => setTimeout(resolveWait, 200));
}

// The driver's group is not this process's: end it however this process ends.
process.on("exit", () => state.driver && killDriverGroup(state.driver));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (state.driver) killDriverGroup(state.driver);
    process.exit(130);
  });
}

/** A driver that could not start a session gets a fresh start on the same ports. */
async function restartDriver() {
  await stopDriver();
  startDriver();
  await state.wd.waitUntilUp();
}

// A failed test must not leave its app session open: tauri-driver serves one at a time, so the
// next test would fail to start for an unrelated reason.
afterEach(async () => {
  await state.wd?.quit();
});

after(async () => {
  await state.wd?.quit();
  await stopDriver();
  if (state.dataDir) rmSync(state.dataDir, { recursive: true, force: true });
});

async function shot(name) {
  // Let layout and transitions settle; full-window screenshots (element ones come back black).
  await new Promise((resolveWait) => setTimeout(resolveWait, 350));
  writeFileSync(join(shots, `${name}.png`), await state.wd.screenshot());
}

async function outboxCode(email, purpose = "sign-up") {
  const response = await fetch(`http://127.0.0.1:${state.cloudPort}/_local/outbox`);
  const messages = await response.json();
  const message = messages.filter((m) => m.destination === email && m.purpose === purpose).at(-1);
  assert.ok(message, `a ${purpose} code for ${email} in the outbox`);
  return message.code;
}

/** RFC 4648 base32 (no padding needed) to bytes. */
function base32Decode(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out = [];
  for (const char of text.replace(/[\s=]/g, "").toUpperCase()) {
    const index = alphabet.indexOf(char);
    assert.ok(index >= 0, `base32 character ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (HMAC-SHA1, 30 s steps, 6 digits) at `unixSeconds`. */
function totp(secretBase32, unixSeconds = Date.now() / 1000) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac("sha1", base32Decode(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, "0");
}

test("RFC 6238 test vector (SHA-1)", () => {
  // RFC 6238 appendix B: secret "12345678901234567890", T = 59 s → 94287082 (8 digits) → 287082.
  const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  assert.equal(totp(secret, 59), "287082");
  assert.equal(totp(secret, 1111111109), "081804");
});

async function signInAs(wd, user, secret, { remember = false } = {}) {
  await wd.waitForScreen("signIn");
  await wd.type("input[name=username]", user);
  await wd.type("input[name=password]", secret);
  if (remember) await wd.click("[data-testid=remember-device]");
  await wd.press("input[name=password]", ENTER);
}

/** From a fresh start (signed in or not): a new account, confirmed and signed in. */
async function signUpAndIn(wd, newEmail) {
  // An earlier test may have left a session in the keychain.
  const first = await wd.waitFor("first screen", "const s = document.getElementById('app').dataset.screen; return ['signIn', 'home'].includes(s) && s");
  if (first === "home") await signOut(wd);
  await wd.click("[data-testid=go-sign-up]");
  await wd.waitForScreen("signUp");
  await wd.type("input[name=email]", newEmail);
  await wd.type("input[name=password]", password);
  await wd.type("input[name=confirm]", password);
  await wd.press("input[name=confirm]", ENTER);
  await wd.waitForScreen("confirm");
  await wd.type("input[name=code]", await outboxCode(newEmail));
  await wd.press("input[name=code]", ENTER);
  await wd.waitForScreen("signIn");
  await wd.type("input[name=password]", password);
  await wd.press("input[name=password]", ENTER);
  await wd.waitForScreen("home");
}

async function signOut(wd) {
  await wd.click("[data-testid=account-button]");
  await wd.click("[data-testid=menu-sign-out]");
  await wd.waitForScreen("signIn");
}

const email = `ada.${Date.now()}@example.com`;
const password = "Correct-Horse-9";

test("sign up, confirm with the outbox code, sign in, see whoami, restart into the session, sign out", async () => {
  const wd = state.wd;
  await wd.start(application);
  await wd.waitForScreen("signIn");
  await shot("01-sign-in");

  await wd.click("[data-testid=go-sign-up]");
  await wd.waitForScreen("signUp");
  await wd.type("input[name=email]", email);
  await wd.type("input[name=password]", "short");
  await wd.press("input[name=password]", ENTER);
  await wd.waitForText("The password needs:");
  await shot("02-sign-up-validation");
  await wd.type("input[name=password]", password);
  await wd.type("input[name=confirm]", password);
  await shot("03-sign-up");
  await wd.press("input[name=confirm]", ENTER); // Enter submits

  await wd.waitForScreen("confirm");
  await wd.waitForText("We sent a 6-digit code by e-mail");
  await shot("04-confirm");
  await wd.type("input[name=code]", "000000");
  await wd.press("input[name=code]", ENTER);
  await wd.waitForText("That code is not right.");
  await shot("05-confirm-wrong-code");
  await wd.type("input[name=code]", await outboxCode(email));
  await wd.press("input[name=code]", ENTER);

  await wd.waitForScreen("signIn");
  await wd.waitForText("Account confirmed.");
  assert.equal(await wd.execute("return document.querySelector('input[name=username]').value"), email);
  await wd.type("input[name=password]", "Wrong-Horse-9");
  await wd.press("input[name=password]", ENTER);
  await wd.waitForText("The e-mail address or password is incorrect.");
  assert.equal(await wd.execute("return document.querySelector('input[name=password]').getAttribute('aria-invalid')"), "true");
  await shot("06-wrong-password");

  await wd.type("input[name=password]", password);
  await wd.press("input[name=password]", ENTER);
  await wd.waitForScreen("home");
  assert.equal(await wd.text("[data-testid=who-email]"), email);
  const sub = await wd.text("[data-testid=who-sub]");
  assert.match(sub, /^[0-9a-f-]{36}$/);
  await shot("07-home");

  await wd.click("[data-testid=account-button]");
  await wd.waitFor("menu open", "return !document.getElementById('account-menu').hidden");
  await shot("08-account-menu");
  await wd.click("[data-testid=menu-settings]");
  await wd.waitForScreen("settings");
  assert.equal(await wd.text("[data-testid=backend-endpoint]"), `http://127.0.0.1:${state.cloudPort}`);
  assert.equal(await wd.text("[data-testid=backend-kind]"), "Local cloud");
  await shot("09-settings");

  // Restart: the session comes back from the keychain.
  await wd.quit();
  await wd.start(application);
  await wd.waitForScreen("home");
  assert.equal(await wd.text("[data-testid=who-sub]"), sub);

  await wd.click("[data-testid=account-button]");
  await wd.click("[data-testid=menu-sign-out]");
  await wd.waitForScreen("signIn");
  await wd.waitForText("Signed out.");
  await shot("10-signed-out");
  await wd.quit();

  // Signed out for good: a restart opens on sign-in.
  await wd.start(application);
  await wd.waitForScreen("signIn");
  await wd.quit();
});

test("TOTP: set up on the security page, then a sign-in answering the code (a wrong one first); e-mail MFA, a remembered device, password reset", async () => {
  const wd = state.wd;
  await wd.start(application);
  await signInAs(wd, email, password);
  await wd.waitForScreen("home");

  // Security page: MFA off, set up the authenticator app.
  await wd.click("[data-testid=nav-security]");
  await wd.waitForScreen("security");
  await wd.waitFor("MFA status", "return document.querySelector('[data-testid=mfa-status]')?.textContent === 'Off'");
  await shot("11-security");
  await wd.click("[data-testid=setup-totp]");
  await wd.waitForScreen("totpEnroll");
  await wd.waitFor("QR image decoded", "const img = document.querySelector('[data-testid=totp-qr]'); return img && img.complete && img.naturalWidth > 0");
  await shot("12-totp-setup");
  // The key for typing in by hand, as the user reads it off the screen.
  const secret = (await wd.execute("return document.querySelector('[data-testid=totp-secret]').value")).replace(/\s/g, "");
  assert.match(secret, /^[A-Z2-7]{16,}$/);
  const enrolledAt = Date.now() / 1000;
  await wd.type("input[name=code]", totp(secret, enrolledAt));
  await wd.press("input[name=code]", ENTER);
  await wd.waitForScreen("security");
  await wd.waitForText("Authenticator app set up.");
  await wd.waitFor("MFA on", "return document.querySelector('[data-testid=mfa-status]')?.textContent === 'On'");
  await shot("13-security-totp-on");

  // Sign out; signing in again asks for the code.
  await signOut(wd);
  await signInAs(wd, email, password);
  await wd.waitForScreen("mfaCode");
  assert.equal(await wd.execute("return document.querySelector('[data-testid=mfa-form]').dataset.kind"), "totp");
  assert.equal(await wd.execute("return document.querySelector('input[name=code]').getAttribute('autocomplete')"), "one-time-code");
  await shot("14-mfa-totp");
  // The enrolment used this 30 s step's code; the local cloud accepts the next step's (±1 step)
  // and refuses a code used before.
  const next = totp(secret, enrolledAt + 30);
  const wrong = String((Number(next) + 1) % 1_000_000).padStart(6, "0");
  await wd.type("input[name=code]", wrong);
  await wd.press("input[name=code]", ENTER);
  await wd.waitForText("That code is not right.");
  assert.equal(await wd.execute("return document.getElementById('app').dataset.screen"), "mfaCode", "the step stays");
  assert.equal(await wd.execute("return document.querySelector('input[name=code]').getAttribute('aria-invalid')"), "true");
  await shot("15-mfa-wrong-code");
  await wd.type("input[name=code]", next);
  await wd.press("input[name=code]", ENTER);
  await wd.waitForScreen("home");
  assert.equal(await wd.text("[data-testid=who-email]"), email);

  // Prefer e-mail codes; sign in remembering this device.
  await wd.click("[data-testid=nav-security]");
  await wd.waitForScreen("security");
  await wd.waitFor("preference form", "return !!document.querySelector('[data-testid=prefer-email] input')");
  await wd.click("[data-testid=prefer-email] input");
  await wd.click("[data-testid=save-preference]");
  await wd.waitForText("Saved: Coffer will ask for a code by e-mail");
  await shot("16-security-prefer-email");
  await signOut(wd);
  await signInAs(wd, email, password, { remember: true });
  await wd.waitForScreen("mfaCode");
  await wd.waitForText("by e-mail to");
  await shot("17-mfa-email");
  await wd.type("input[name=code]", await outboxCode(email, "mfa"));
  await wd.press("input[name=code]", ENTER);
  await wd.waitForScreen("home");
  await wd.waitForText("This device is remembered");
  await wd.click("[data-testid=nav-devices]");
  await wd.waitForScreen("devices");
  await wd.waitFor("device list", "return document.querySelectorAll('[data-testid=device]').length === 1");
  assert.equal(await wd.execute("return document.querySelector('[data-testid=device]').dataset.thisDevice"), "true");
  await shot("18-devices");

  // Forgotten password: request a code, set a new password, sign in with it; the remembered
  // device skips the code.
  await signOut(wd);
  await wd.type("input[name=username]", email);
  await wd.click("[data-testid=go-forgot-password]");
  await wd.waitForScreen("forgotPassword");
  await shot("19-forgot-password");
  await wd.press("input[name=username]", ENTER);
  await wd.waitForScreen("resetPassword");
  await wd.waitForText("by e-mail to");
  const newPassword = "Second-Horse-8";
  await wd.type("input[name=code]", await outboxCode(email, "forgot-password"));
  await wd.type("input[name=password]", newPassword);
  await wd.type("input[name=confirm]", newPassword);
  await shot("20-reset-password");
  await wd.press("input[name=confirm]", ENTER);
  await wd.waitForScreen("signIn");
  await wd.waitForText("Password changed.");
  await wd.type("input[name=password]", newPassword);
  await wd.press("input[name=password]", ENTER);
  await wd.waitForScreen("home");

  // Forget this device: the next sign-in asks for the code again.
  await wd.click("[data-testid=nav-devices]");
  await wd.waitFor("device list", "return document.querySelectorAll('[data-testid=device]').length === 1");
  await wd.click("[data-testid=forget-device]");
  await wd.waitForText("This device is forgotten");
  await signOut(wd);
  await signInAs(wd, email, newPassword);
  await wd.waitForScreen("mfaCode");
  await wd.click("[data-testid=cancel-sign-in]");
  await wd.waitForScreen("signIn");
  await wd.quit();
});

test("an administrator-created user: new password, then MFA required (authenticator set up during sign-in), then a choice of factors", async () => {
  const wd = state.wd;
  const admin = new LocalCloudAdmin(`http://127.0.0.1:${state.cloudPort}`, state.dataDir);
  const user = `grace.${Date.now()}@example.com`;
  // The local cloud runs inside the app: start it first.
  await wd.start(application);
  await wd.waitForScreen("signIn");
  await admin.call("AdminCreateUser", {
    Username: user,
    TemporaryPassword: "Temp-Pass-123",
    MessageAction: "SUPPRESS",
    UserAttributes: [
      { Name: "email", Value: user },
      { Name: "email_verified", Value: "true" },
    ],
  });
  await signInAs(wd, user, "Temp-Pass-123");
  await wd.waitForScreen("newPassword");
  const finalPassword = "Grace-Hopper-1906";
  await wd.type("input[name=password]", finalPassword);
  await wd.type("input[name=confirm]", finalPassword);
  await shot("21-new-password");
  await wd.press("input[name=confirm]", ENTER);
  await wd.waitForScreen("home");
  await signOut(wd);

  // MFA required (authenticator apps only) and the user has no factor: the authenticator is set
  // up during sign-in.
  await admin.call("SetUserPoolMfaConfig", { MfaConfiguration: "ON", SoftwareTokenMfaConfiguration: { Enabled: true } });
  await signInAs(wd, user, finalPassword);
  await wd.waitForScreen("totpSetup");
  await wd.waitFor("QR image decoded", "const img = document.querySelector('[data-testid=totp-qr]'); return img && img.complete && img.naturalWidth > 0");
  await shot("22-totp-setup-at-sign-in");
  const secret = (await wd.execute("return document.querySelector('[data-testid=totp-secret]').value")).replace(/\s/g, "");
  const setUpAt = Date.now() / 1000;
  await wd.type("input[name=code]", totp(secret, setUpAt));
  await wd.press("input[name=code]", ENTER);
  await wd.waitForScreen("home");
  await signOut(wd);

  // Two factors on, neither preferred: the user chooses.
  await admin.call("SetUserPoolMfaConfig", {
    MfaConfiguration: "OPTIONAL",
    SoftwareTokenMfaConfiguration: { Enabled: true },
    EmailMfaConfiguration: { Message: "Your Coffer code is {####}", Subject: "Your Coffer code" },
  });
  await admin.call("AdminSetUserMFAPreference", {
    Username: user,
    SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: false },
    EmailMfaSettings: { Enabled: true, PreferredMfa: false },
  });
  await signInAs(wd, user, finalPassword);
  await wd.waitForScreen("selectMfa");
  await shot("23-select-mfa");
  await wd.click("[data-testid=choose-totp] input");
  await wd.click("[data-testid=select-mfa-submit]");
  await wd.waitForScreen("mfaCode");
  await wd.type("input[name=code]", totp(secret, setUpAt + 30));
  await wd.press("input[name=code]", ENTER);
  await wd.waitForScreen("home");
  assert.equal(await wd.text("[data-testid=who-email]"), user);
  await wd.quit();
});

test("MFA required with the authenticator app and e-mail on: a user without a factor chooses e-mail codes during sign-in", async () => {
  const wd = state.wd;
  const taken = `olga.${Date.now()}@example.com`;
  const user = `ines.${Date.now()}@example.com`;
  // The local cloud runs inside the app: start it first.
  await wd.start(application);
  const first = await wd.waitFor("first screen", "const s = document.getElementById('app').dataset.screen; return ['signIn', 'home'].includes(s) && s");
  if (first === "home") await signOut(wd);
  const admin = new LocalCloudAdmin(`http://127.0.0.1:${state.cloudPort}`, state.dataDir);
  await admin.call("SetUserPoolMfaConfig", {
    MfaConfiguration: "ON",
    SoftwareTokenMfaConfiguration: { Enabled: true },
    EmailMfaConfiguration: { Message: "Your Coffer code is {####}", Subject: "Your Coffer code" },
  });
  // Confirmed users with a permanent password; this one's address is not verified, so no
  // factor is usable yet and the sign-in asks to set one up.
  for (const [name, verified] of [[taken, "true"], [user, "false"]]) {
    await admin.call("AdminCreateUser", {
      Username: name,
      MessageAction: "SUPPRESS",
      UserAttributes: [
        { Name: "email", Value: name },
        { Name: "email_verified", Value: verified },
      ],
    });
    await admin.call("AdminSetUserPassword", { Username: name, Password: password, Permanent: true });
  }

  await signInAs(wd, user, password);
  await wd.waitForScreen("selectMfaSetup");
  await wd.waitForText("Choose how to protect your account");
  await shot("24-select-mfa-setup");
  await wd.click("[data-testid=choose-email] input");
  await wd.click("[data-testid=select-mfa-setup-submit]");
  await wd.waitForScreen("emailMfaSetup");
  assert.equal(await wd.execute("return document.querySelector('input[name=email]').value"), user);

  // Another account's address is refused in words, and the form keeps what was typed.
  await wd.type("input[name=email]", taken);
  await wd.press("input[name=email]", ENTER);
  await wd.waitForText("Another account already uses this e-mail address.");
  assert.equal(await wd.execute("return document.querySelector('input[name=email]').value"), taken);
  assert.equal(await wd.execute("return document.getElementById('app').dataset.screen"), "emailMfaSetup");
  await shot("25-email-mfa-setup-refused");

  await wd.type("input[name=email]", user);
  await wd.press("input[name=email]", ENTER);
  await wd.waitForScreen("mfaCode");
  await wd.waitForText("by e-mail to");
  assert.equal(await wd.execute("return document.querySelector('[data-testid=mfa-form]').dataset.kind"), "email");
  assert.ok(!(await wd.text("[data-testid=mfa-form]")).includes(user), "the destination is masked");
  await shot("26-email-mfa-setup-code");
  const mailed = await outboxCode(user, "mfa");
  const wrong = `${(Number(mailed[0]) + 1) % 10}${mailed.slice(1)}`;
  await wd.type("input[name=code]", wrong);
  await wd.press("input[name=code]", ENTER);
  await wd.waitForText("That code is not right.");
  await wd.type("input[name=code]", mailed);
  await wd.press("input[name=code]", ENTER);
  await wd.waitForScreen("home");
  assert.equal(await wd.text("[data-testid=who-email]"), user);
  await signOut(wd);
  // Leave the pool as later tests expect it: MFA for whoever turns it on.
  await admin.call("SetUserPoolMfaConfig", {
    MfaConfiguration: "OPTIONAL",
    SoftwareTokenMfaConfiguration: { Enabled: true },
    EmailMfaConfiguration: { Message: "Your Coffer code is {####}", Subject: "Your Coffer code" },
  });
  await wd.quit();
});

/** Uploads the preset file through "Upload files…", watching its progress (paused halfway
 * when the run is slow enough to catch it), until it is listed. */
async function uploadAndWatch(wd, prefix) {
  await wd.click("[data-testid=upload-files]");
  await wd.waitFor("an upload row", "return !!document.querySelector('[data-testid=upload]')");
  const stateNow = () => wd.execute("return document.querySelector('[data-testid=upload]').dataset.state");
  // Pause after the first part (the local cloud is fast), so the screenshot shows a part-done bar.
  await wd.waitFor("some progress", "const u = document.querySelector('[data-testid=upload]'); return u.dataset.state !== 'running' || Number(u.querySelector('[role=progressbar]').getAttribute('aria-valuenow')) > 0");
  if ((await stateNow()) === "running") {
    try {
      await wd.click("[data-testid=upload-pause]");
    } catch {
      // Finished before the click: nothing to pause.
    }
    await wd.waitFor("paused or done", "return ['paused','completed'].includes(document.querySelector('[data-testid=upload]').dataset.state)");
    if ((await stateNow()) === "paused") {
      assert.match(await wd.text("[data-testid=upload-status]"), /^Paused · /);
      await shot(`${prefix}-upload-paused`);
      await wd.click("[data-testid=upload-resume]");
      await shot(`${prefix}-upload-resumed`);
    }
  }
  await wd.waitFor("upload completed", "return document.querySelector('[data-testid=upload]').dataset.state === 'completed'", [], 60000);
  await wd.waitFor("file listed", "return [...document.querySelectorAll('[data-testid=file-row]')].some(r => r.dataset.key === 'Quarterly report é.bin')");
  assert.match(await wd.text("[data-testid=upload-status]"), /^Uploaded · \d+(\.\d)? MB$/);
}

test("files: upload through the picker path with progress, list, download, delete, sign out; a guest upload", async () => {
  const wd = state.wd;
  // 160 MB: a multipart upload of 20 parts (8 MiB, 6 in flight), long enough to see progress
  // and to pause it part-way on a fast machine.
  const content = randomBytes(160 * 1000 * 1000);
  writeFileSync(state.pickedFile, content);
  const filesEmail = `files.${Date.now()}@example.com`;

  await wd.start(application);
  await signUpAndIn(wd, filesEmail);

  await wd.click("[data-testid=nav-files]");
  await wd.waitForScreen("files");
  await wd.waitFor("empty listing", "return !!document.querySelector('[data-testid=files-empty]')");
  await shot("30-files-empty");
  await uploadAndWatch(wd, "31-files");
  await shot("32-files-uploaded");

  await wd.click("[data-testid=file-row] [data-testid=download]");
  await wd.waitForText("Saved Quarterly report é.bin");
  const saved = join(state.saveDir, "Quarterly report é.bin");
  assert.ok(existsSync(saved));
  assert.ok(readFileSync(saved).equals(content), "the downloaded bytes are the uploaded ones");
  rmSync(saved);

  await wd.click("[data-testid=file-row] [data-testid=delete]");
  await wd.waitFor("delete confirmation", "return !!document.querySelector('[data-testid=confirm-delete]')");
  await shot("33-files-confirm-delete");
  await wd.click("[data-testid=confirm-delete]");
  await wd.waitForText("Deleted Quarterly report é.bin.");
  await wd.waitFor("empty listing", "return !!document.querySelector('[data-testid=files-empty]')");

  await signOut(wd);

  // A guest: no sign-in, its own guest folder.
  await wd.click("[data-testid=continue-as-guest]");
  await wd.waitForScreen("guestFiles");
  await wd.waitFor("guest listing", "return !!document.querySelector('[data-testid=files-empty], [data-testid=file-row]')");
  assert.match(await wd.text("[data-testid=guest-banner]"), /guest/);
  await uploadAndWatch(wd, "34-guest");
  await shot("35-guest-files");
  await wd.click("[data-testid=guest-sign-in]");
  await wd.waitForScreen("signIn");
  await wd.quit();
});

test("settings: use my own backend from an amplify_outputs.json (summary, confirm, signed out), then back to the local cloud", async () => {
  const wd = state.wd;
  writeFileSync(
    state.backendFile,
    JSON.stringify({
      version: "1.3",
      auth: { aws_region: "eu-west-1", user_pool_id: "eu-west-1_E2ePool", user_pool_client_id: "e2eclient1" },
      storage: { aws_region: "eu-west-1", bucket_name: "e2e-bucket" },
    }),
  );
  const ownEmail = `own.${Date.now()}@example.com`;
  const outbox = () => fetch(`http://127.0.0.1:${state.cloudPort}/_local/outbox`).then((response) => response.ok, () => false);
  await wd.start(application);
  await signUpAndIn(wd, ownEmail);

  await wd.click("[data-testid=account-button]");
  await wd.click("[data-testid=menu-settings]");
  await wd.waitForScreen("settings");
  await wd.click("[data-testid=choose-backend]");
  await wd.waitFor("backend summary", "return !!document.querySelector('[data-testid=backend-summary]')");
  assert.equal(await wd.text("[data-testid=chosen-pool]"), "eu-west-1_E2ePool");
  assert.equal(await wd.text("[data-testid=chosen-bucket]"), "e2e-bucket");
  assert.equal(await wd.text("[data-testid=chosen-saved-to]"), state.savedConfig);
  assert.ok(!existsSync(state.savedConfig), "nothing saved before the confirmation");
  await shot("40-settings-own-backend-summary");

  await wd.click("[data-testid=confirm-backend]");
  await wd.waitForText("Coffer now uses your backend");
  assert.equal(await wd.text("[data-testid=backend-kind]"), "Config file");
  assert.equal(await wd.text("[data-testid=backend-pool]"), "eu-west-1_E2ePool");
  assert.match(readFileSync(state.savedConfig, "utf8"), /user_pool_id = "eu-west-1_E2ePool"/);
  assert.equal(await outbox(), false, "the in-process local cloud stopped");
  await shot("41-settings-own-backend");

  await wd.click("[data-testid=use-local-cloud]");
  await wd.waitForText("Coffer is back on the local cloud");
  assert.equal(await wd.text("[data-testid=backend-kind]"), "Local cloud");
  assert.equal(await wd.text("[data-testid=backend-endpoint]"), `http://127.0.0.1:${state.cloudPort}`);
  assert.ok(!existsSync(state.savedConfig), "the saved config is moved aside");
  assert.equal(await outbox(), true, "the local cloud serves again");
  await shot("42-settings-back-to-local-cloud");
  await wd.click("[data-testid=settings-back]");
  await wd.waitForScreen("signIn");
  await wd.quit();

  // The switch forgot the session: a restart opens on sign-in, and the account still works.
  await wd.start(application);
  await signInAs(wd, ownEmail, password);
  await wd.waitForScreen("home");
  await wd.quit();
});
