// A small W3C WebDriver client over fetch: just what the Coffer e2e tests use.
import { readdirSync, readlinkSync, realpathSync } from "node:fs";

const ELEMENT = "element-6066-11e4-a52f-4d56fd3df285";

export class WebDriver {
  /**
   * `restartDriver`, when given, restarts the driver behind `base` (awaited) before the one
   * retry of a session that did not start.
   */
  constructor(base, { restartDriver } = {}) {
    this.base = base;
    this.session = null;
    this.restartDriver = restartDriver;
  }

  async request(method, path, body, timeoutMs = 120000) {
    // Every command has a deadline: a driver that never answers fails the test instead of
    // hanging the suite until CI's own limit.
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = json.value ?? {};
      throw new Error(`WebDriver ${method} ${path}: ${error.error ?? response.status}: ${error.message ?? ""}`);
    }
    return json.value;
  }

  async waitUntilUp(timeoutMs = 15000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await fetch(`${this.base}/status`);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`WebDriver at ${this.base} did not start: ${error}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /**
   * Starts a session on `application`, once every earlier process of it has exited: the app
   * allows one running copy (single-instance plugin), and a window quit a moment ago may still
   * be shutting down on a busy machine — a new one would hand over to it and exit.
   */
  async start(application) {
    const capabilities = { alwaysMatch: { "tauri:options": { application } } };
    for (let attempt = 1; ; attempt++) {
      await waitUntilNotRunning(application);
      try {
        const value = await this.request("POST", "/session", { capabilities }, 60000);
        this.session = value.sessionId;
        return;
      } catch (error) {
        // A window that never came up (seen once on a loaded machine: the app's
        // single-instance check met a previous copy exiting, and the driver then waited
        // forever). One more try, after every copy of the app is gone and with a fresh
        // driver (the stuck one may still wait for the first window); a second failure is the
        // test's.
        if (attempt >= 2) throw error;
        console.error(`# session did not start (${error.message}); retrying once`);
        for (const pid of processesOf(application)) {
          try {
            process.kill(Number(pid), "SIGKILL");
          } catch {
            // Already gone.
          }
        }
        await this.restartDriver?.();
      }
    }
  }

  async quit() {
    if (!this.session) return;
    const session = this.session;
    this.session = null;
    await this.request("DELETE", `/session/${session}`).catch(() => undefined);
  }

  s(path) {
    return `/session/${this.session}${path}`;
  }

  async find(css) {
    const value = await this.request("POST", this.s("/element"), { using: "css selector", value: css });
    const id = value[ELEMENT] ?? value.ELEMENT ?? Object.values(value ?? {})[0];
    if (!id) throw new Error(`no element ${css}: ${JSON.stringify(value)}`);
    return id;
  }

  async click(css) {
    await this.request("POST", this.s(`/element/${await this.find(css)}/click`), {});
  }

  async type(css, text) {
    const id = await this.find(css);
    await this.request("POST", this.s(`/element/${id}/clear`), {});
    await this.request("POST", this.s(`/element/${id}/value`), { text });
  }

  /** Sends keys to the focused element (e.g. "\uE007" for Enter). */
  async press(css, keys) {
    await this.request("POST", this.s(`/element/${await this.find(css)}/value`), { text: keys });
  }

  async text(css) {
    return this.request("GET", this.s(`/element/${await this.find(css)}/text`));
  }

  async execute(script, args = []) {
    return this.request("POST", this.s("/execute/sync"), { script, args });
  }

  /** A PNG of the whole window. */
  async screenshot() {
    return Buffer.from(await this.request("GET", this.s("/screenshot")), "base64");
  }

  /**
   * Polls `check` (a script returning a truthy value when done) until it passes. The default
   * timeout is generous because a debug build on two busy cores can take seconds per step.
   */
  async waitFor(description, script, args = [], timeoutMs = 45000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
      last = await this.execute(script, args).catch((error) => `error: ${error.message}`);
      if (last && !String(last).startsWith("error:")) return last;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${description} (last: ${last})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async waitForScreen(name) {
    await this.waitFor(`screen ${name}`, "return document.getElementById('app').dataset.screen === arguments[0]", [name]);
  }

  async waitForText(text) {
    await this.waitFor(`text "${text}"`, "return document.body.innerText.includes(arguments[0])", [text]);
  }
}

/** The pids of running processes whose executable is `path` (Linux `/proc`). */
function processesOf(path) {
  const target = realpathSync(path);
  const pids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // A binary rebuilt while running reads as "<path> (deleted)".
      if (readlinkSync(`/proc/${entry}/exe`).replace(/ \(deleted\)$/, "") === target) pids.push(entry);
    } catch {
      // Gone meanwhile, or not ours to inspect.
    }
  }
  return pids;
}

async function waitUntilNotRunning(path, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  while (processesOf(path).length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
