// Start Coffer's local cloud for the Node tests, the same way harness.py does for pytest:
// `coffer local-cloud --addr 127.0.0.1:PORT --data DIR` on a free port and a fresh temp dir, wait for
// `GET /_local/health`, then read `DIR/coffer.toml`. Only documented interfaces are used.
//
// To test a server that is already running instead, set all three of COFFER_LOCAL_ENDPOINT,
// COFFER_LOCAL_POOL_ID and COFFER_LOCAL_CLIENT_ID (it must be a pool with e-mail as username and a
// client without secret that allows ALLOW_USER_SRP_AUTH and ALLOW_REFRESH_TOKEN_AUTH).

import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse as parseToml } from 'smol-toml';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const STARTUP_TIMEOUT_MS = 30_000;

export function cofferBinary() {
  if (process.env.COFFER_BIN) return process.env.COFFER_BIN;
  const shared = '/var/cache/coffer-target/debug/coffer';
  if (existsSync(shared)) return shared;
  return path.join(repoRoot, 'target', 'debug', 'coffer');
}

/** A port that was free a moment ago: the kernel picks it, we release it for the server. */
export function freeLoopbackPort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function tail(file) {
  try {
    const text = readFileSync(file, 'utf8');
    return text ? text.slice(-8000) : '(empty)';
  } catch {
    return '(none)';
  }
}

async function isHealthy(baseUrl) {
  try {
    const response = await fetch(`${baseUrl}/_local/health`, { signal: AbortSignal.timeout(1000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Starts a fresh local cloud; resolves to its details and a `stop()`. Rejects with its output. */
export async function startLocalCloud() {
  const binary = cofferBinary();
  if (!existsSync(binary)) {
    throw new Error(`coffer binary not found at ${binary}; build it or set COFFER_BIN`);
  }
  const workDir = await mkdtemp(path.join(tmpdir(), 'coffer-interop-js-'));
  const dataDir = path.join(workDir, 'data');
  const stdoutPath = path.join(workDir, 'stdout.log');
  const stderrPath = path.join(workDir, 'stderr.log');
  const port = await freeLoopbackPort();
  const baseUrl = `http://127.0.0.1:${port}`;

  const out = openSync(stdoutPath, 'w');
  const err = openSync(stderrPath, 'w');
  const child = spawn(binary, ['local-cloud', '--addr', `127.0.0.1:${port}`, '--data', dataDir], {
    stdio: ['ignore', out, err],
  });
  closeSync(out);
  closeSync(err);
  let exitStatus = null;
  child.on('exit', (code, signal) => {
    exitStatus = signal ?? code;
  });
  const logs = () => `--- ${binary} stderr ---\n${tail(stderrPath)}\n--- stdout ---\n${tail(stdoutPath)}`;

  const stop = async () => {
    if (exitStatus === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    if (!process.env.COFFER_INTEROP_KEEP_DATA) await rm(workDir, { recursive: true, force: true });
  };

  const configPath = path.join(dataDir, 'coffer.toml');
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (exitStatus !== null) {
      const output = logs();
      await stop();
      throw new Error(`local cloud exited (${exitStatus}) before it was healthy\n${output}`);
    }
    if ((await isHealthy(baseUrl)) && existsSync(configPath)) break;
    if (Date.now() > deadline) {
      const output = logs();
      await stop();
      throw new Error(`local cloud not healthy after ${STARTUP_TIMEOUT_MS / 1000} s\n${output}`);
    }
    await sleep(100);
  }

  const config = parseToml(await readFile(configPath, 'utf8'));
  return {
    address: baseUrl,
    endpoint: String(config.endpoints?.cognito_idp ?? '').replace(/\/+$/, ''),
    region: config.region,
    userPoolId: config.user_pool_id,
    clientId: config.client_id,
    logs,
    stop,
  };
}

/** The server named by COFFER_LOCAL_* if all are set, else a freshly started one. */
export async function localCloud() {
  const { COFFER_LOCAL_ENDPOINT, COFFER_LOCAL_POOL_ID, COFFER_LOCAL_CLIENT_ID } = process.env;
  if (COFFER_LOCAL_ENDPOINT && COFFER_LOCAL_POOL_ID && COFFER_LOCAL_CLIENT_ID) {
    const endpoint = COFFER_LOCAL_ENDPOINT.replace(/\/+$/, '');
    return {
      address: endpoint,
      endpoint,
      region: COFFER_LOCAL_POOL_ID.split('_')[0],
      userPoolId: COFFER_LOCAL_POOL_ID,
      clientId: COFFER_LOCAL_CLIENT_ID,
      logs: () => '(server started outside the tests)',
      stop: async () => {},
    };
  }
  return startLocalCloud();
}

export async function readOutbox(endpoint) {
  const response = await fetch(`${endpoint}/_local/outbox`);
  if (response.status !== 200) {
    throw new Error(`GET /_local/outbox answered ${response.status}: ${await response.text()}`);
  }
  const messages = await response.json();
  if (!Array.isArray(messages)) throw new Error('/_local/outbox is not a JSON array');
  return messages;
}

/**
 * The code of the newest outbox message for this user and purpose. `username` may be what the user
 * typed (the e-mail in an e-mail-as-username pool) or the internal username.
 */
export async function newestCode(endpoint, { userPoolId, username, purpose, timeoutMs = 5000 }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = await readOutbox(endpoint);
    const matching = messages.filter(
      (m) =>
        m.user_pool_id === userPoolId &&
        m.purpose === purpose &&
        (m.username === username || m.destination === username),
    );
    if (matching.length > 0) return matching[matching.length - 1].code; // oldest first
    if (Date.now() > deadline) {
      const summary = messages.slice(-10).map(({ code, ...rest }) => rest); // codes hidden
      throw new Error(
        `no ${purpose} message for ${username} in ${userPoolId}; newest: ${JSON.stringify(summary)}`,
      );
    }
    await sleep(100);
  }
}
