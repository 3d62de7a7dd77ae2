// A local cloud for the Node tests that also need the signed admin API (pools with MFA, users
// with phone numbers): started exactly like harness.mjs does, plus its data dir's `credentials`
// file read into an AWS SDK v3 client (the official one, signing with SigV4).
//
// Only documented interfaces: `coffer local-cloud --addr --data`, `DIR/coffer.toml`,
// `DIR/credentials` (profile `coffer-local-admin`), `GET /_local/health`.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { parse as parseToml } from 'smol-toml';

import { cofferBinary, freeLoopbackPort } from './harness.mjs';

const STARTUP_TIMEOUT_MS = 30_000;
const ADMIN_PROFILE = 'coffer-local-admin';

function tail(file) {
  try {
    return readFileSync(file, 'utf8').slice(-8000) || '(empty)';
  } catch {
    return '(none)';
  }
}

/** `[coffer-local-admin]` of an INI shared-credentials file. */
function readAdminCredentials(text) {
  let section = null;
  const values = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const header = line.match(/^\[(.+)\]$/);
    if (header) {
      section = header[1].trim();
    } else if (section === ADMIN_PROFILE && line.includes('=')) {
      const [key, ...rest] = line.split('=');
      values[key.trim()] = rest.join('=').trim();
    }
  }
  if (!values.aws_access_key_id || !values.aws_secret_access_key) {
    throw new Error(`no [${ADMIN_PROFILE}] keys in the local cloud's credentials file`);
  }
  return { accessKeyId: values.aws_access_key_id, secretAccessKey: values.aws_secret_access_key };
}

/** Starts a fresh local cloud; resolves to { endpoint, region, admin, logs, stop }. */
export async function startCloudWithAdmin() {
  const binary = cofferBinary();
  if (!existsSync(binary)) throw new Error(`coffer binary not found at ${binary}; set COFFER_BIN`);
  const workDir = await mkdtemp(path.join(tmpdir(), 'coffer-interop-js-mfa-'));
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
  const logs = () => `--- stderr ---\n${tail(stderrPath)}\n--- stdout ---\n${tail(stdoutPath)}`;
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
  const credentialsPath = path.join(dataDir, 'credentials');
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (exitStatus !== null) {
      const output = logs();
      await stop();
      throw new Error(`local cloud exited (${exitStatus}) before it was healthy\n${output}`);
    }
    let healthy = false;
    try {
      healthy = (await fetch(`${baseUrl}/_local/health`, { signal: AbortSignal.timeout(1000) })).ok;
    } catch {
      healthy = false;
    }
    if (healthy && existsSync(configPath) && existsSync(credentialsPath)) break;
    if (Date.now() > deadline) {
      const output = logs();
      await stop();
      throw new Error(`local cloud not healthy after ${STARTUP_TIMEOUT_MS / 1000} s\n${output}`);
    }
    await sleep(100);
  }
  const config = parseToml(await readFile(configPath, 'utf8'));
  const endpoint = String(config.endpoints?.cognito_idp ?? '').replace(/\/+$/, '');
  const admin = new CognitoIdentityProviderClient({
    region: config.region,
    endpoint,
    credentials: readAdminCredentials(await readFile(credentialsPath, 'utf8')),
    maxAttempts: 1,
  });
  return { endpoint, region: config.region, admin, logs, stop };
}
