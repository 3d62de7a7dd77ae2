// End to end through the real window: the Coffer app (its in-process local cloud on a pinned
// port, a temporary data directory) driven by tauri-driver + WebKitWebDriver. Needs a display
// (Xvfb) and a Secret Service keychain (gnome-keyring in a private D-Bus session); see
// scripts/lib/run-test-suites. Saves a PNG of each screen to tests/artifacts/screenshots/.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
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
  state.cloudPort = await freePort();
  const driverPort = await freePort();
  const nativePort = await freePort();
  state.driver = spawn(tauriDriver, ["--port", String(driverPort), "--native-port", String(nativePort)], {
    env: {
      ...process.env,
      COFFER_DATA_DIR: state.dataDir,
      COFFER_LOCAL_CLOUD_ADDR: `127.0.0.1:${state.cloudPort}`,
      RUST_LOG: process.env.RUST_LOG ?? "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  state.wd = new WebDriver(`http://127.0.0.1:${driverPort}`);
  await state.wd.waitUntilUp();
});

after(async () => {
  await state.wd?.quit();
  state.driver?.kill();
  if (state.dataDir) rmSync(state.dataDir, { recursive: true, force: true });
});

async function shot(name) {
  // Let layout and transitions settle; full-window screenshots (element ones come back black).
  await new Promise((resolveWait) => setTimeout(resolveWait, 350));
  writeFileSync(join(shots, `${name}.png`), await state.wd.screenshot());
}

async function outboxCode(email) {
  const response = await fetch(`http://127.0.0.1:${state.cloudPort}/_local/outbox`);
  const messages = await response.json();
  const message = messages.filter((m) => m.destination === email && m.purpose === "sign-up").at(-1);
  assert.ok(message, `a sign-up code for ${email} in the outbox`);
  return message.code;
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
