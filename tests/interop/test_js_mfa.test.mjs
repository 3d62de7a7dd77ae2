// amazon-cognito-identity-js (AWS's browser SDK) through every MFA path against the local cloud:
// TOTP enrolment (`associateSoftwareToken`, `verifySoftwareToken`, `setUserMfaPreference`) and
// sign-in (`totpRequired` → `sendMFACode(code, cb, 'SOFTWARE_TOKEN_MFA')`, a wrong code first),
// an SMS code from the outbox (`mfaRequired` → `sendMFACode`), a temporary password
// (`newPasswordRequired` → `completeNewPasswordChallenge`), and a remembered device: the library
// confirms the device after MFA, `setDeviceStatusRemembered` remembers it, and the next
// `authenticateUser` goes through DEVICE_SRP_AUTH and skips MFA.
//
// The pool is provisioned with the official AWS SDK v3 admin client (admin.mjs). TOTP codes are
// computed here (RFC 6238: SHA-1, 6 digits, 30 s).

import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminListDevicesCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import cognito from 'amazon-cognito-identity-js';

import { startCloudWithAdmin } from './admin.mjs';
import { newestCode } from './harness.mjs';

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = cognito;

const PASSWORD = 'Corr3ct-Horse-Battery!';
const SMS_ROLE = 'arn:aws:iam::000000000000:role/coffer-sms';

let cloud;
let poolId;
let pool;

before(
  async () => {
    cloud = await startCloudWithAdmin();
    const created = await cloud.admin.send(
      new CreateUserPoolCommand({
        PoolName: `js-mfa-${randomBytes(4).toString('hex')}`,
        SmsConfiguration: { SnsCallerArn: SMS_ROLE },
        DeviceConfiguration: {
          ChallengeRequiredOnNewDevice: true,
          DeviceOnlyRememberedOnUserPrompt: true,
        },
      }),
    );
    poolId = created.UserPool.Id;
    await cloud.admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
        SmsMfaConfiguration: {
          SmsAuthenticationMessage: 'Your code is {####}',
          SmsConfiguration: { SnsCallerArn: SMS_ROLE },
        },
      }),
    );
    const client = await cloud.admin.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'js-mfa',
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    pool = new CognitoUserPool({
      UserPoolId: poolId,
      ClientId: client.UserPoolClient.ClientId,
      endpoint: cloud.endpoint,
    });
  },
  { timeout: 40_000 },
);

after(async () => {
  await cloud?.stop();
});

// --- helpers -------------------------------------------------------------------------------

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const bytes = [];
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** RFC 6238 code for the 30 s step `stepsAhead` steps from now. */
function totp(secret, stepsAhead = 0) {
  const counter = Math.floor(Date.now() / 1000 / 30) + stepsAhead;
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac('sha1', base32Decode(secret)).update(message).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

test('the TOTP helper matches RFC 6238', () => {
  // Appendix B, SHA-1, T = 59 s → 94287082; our helper's core at counter 1 must agree.
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(1n);
  const digest = createHmac('sha1', Buffer.from('12345678901234567890')).update(message).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  assert.equal((digest.readUInt32BE(offset) & 0x7fffffff) % 100_000_000, 94287082);
  assert.deepEqual(base32Decode('GEZDGNBVGY3TQOJQ'), Buffer.from('1234567890'));
});

const wrong = (code) =>
  [...code].map((digit) => (digit === '9' ? '0' : String(Number(digit) + 1))).join('');

async function createUser({ phone, temporaryPassword } = {}) {
  const username = `js-${randomBytes(5).toString('hex')}`;
  const attributes = [
    { Name: 'email', Value: `${username}@example.test` },
    { Name: 'email_verified', Value: 'true' },
  ];
  if (phone) {
    attributes.push(
      { Name: 'phone_number', Value: phone },
      { Name: 'phone_number_verified', Value: 'true' },
    );
  }
  await cloud.admin.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      UserAttributes: attributes,
      MessageAction: 'SUPPRESS',
      TemporaryPassword: temporaryPassword,
    }),
  );
  if (!temporaryPassword) {
    await cloud.admin.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: poolId,
        Username: username,
        Password: PASSWORD,
        Permanent: true,
      }),
    );
  }
  return username;
}

/**
 * authenticateUser with every callback turned into an event: resolves with the first one
 * ({ kind, args }) so each test can say which step it expects next.
 */
function signIn(user, password = PASSWORD) {
  const details = new AuthenticationDetails({ Username: user.getUsername(), Password: password });
  return new Promise((resolve) => user.authenticateUser(details, events(resolve)));
}

function events(resolve) {
  const on =
    (kind) =>
    (...args) =>
      resolve({ kind, args });
  return {
    onSuccess: on('success'),
    onFailure: on('failure'),
    newPasswordRequired: on('newPasswordRequired'),
    mfaRequired: on('mfaRequired'),
    totpRequired: on('totpRequired'),
    customChallenge: on('customChallenge'),
    mfaSetup: on('mfaSetup'),
    selectMFAType: on('selectMFAType'),
  };
}

function sendMfaCode(user, code, mfaType) {
  return new Promise((resolve) => user.sendMFACode(code, events(resolve), mfaType));
}

function expect(event, kind) {
  const got = `${event.kind}: ${JSON.stringify(event.args)}`;
  assert.equal(event.kind, kind, `expected ${kind}, got ${got}`);
  return event.args;
}

/** Signs in (no MFA yet: the library confirms this new device) and enrols TOTP. */
async function enrolTotp(username) {
  const user = new CognitoUser({ Username: username, Pool: pool });
  const [, userConfirmationNecessary] = expect(await signIn(user), 'success');
  // The pool remembers devices only when the user says so (DeviceOnlyRememberedOnUserPrompt).
  assert.equal(userConfirmationNecessary, true);
  assert.ok(user.deviceKey, 'the library confirmed and kept the new device');
  const secret = await new Promise((resolve, reject) =>
    user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }),
  );
  assert.match(secret, /^[A-Z2-7]+=*$/);
  await new Promise((resolve, reject) =>
    user.verifySoftwareToken(totp(secret), 'amazon-cognito-identity-js', {
      onSuccess: resolve,
      onFailure: reject,
    }),
  );
  await new Promise((resolve, reject) =>
    user.setUserMfaPreference(null, { PreferredMfa: true, Enabled: true }, (err, result) =>
      err ? reject(err) : resolve(result),
    ),
  );
  return secret;
}

// --- tests ---------------------------------------------------------------------------------

const TIMEOUT = { timeout: 30_000 };

test('TOTP: enrol, then totpRequired → sendMFACode after a wrong code', TIMEOUT, async () => {
  const username = await createUser();
  const secret = await enrolTotp(username);
  const got = await cloud.admin.send(
    new AdminGetUserCommand({ UserPoolId: poolId, Username: username }),
  );
  assert.equal(got.PreferredMfaSetting, 'SOFTWARE_TOKEN_MFA');

  const user = new CognitoUser({ Username: username, Pool: pool });
  const [challengeName] = expect(await signIn(user), 'totpRequired');
  assert.equal(challengeName, 'SOFTWARE_TOKEN_MFA');
  const right = totp(secret, 1); // the enrolment spent this step's code
  const [error] = expect(await sendMfaCode(user, wrong(right), 'SOFTWARE_TOKEN_MFA'), 'failure');
  assert.equal(error.code, 'CodeMismatchException');
  const [session] = expect(await sendMfaCode(user, right, 'SOFTWARE_TOKEN_MFA'), 'success');
  assert.equal(session.getIdToken().payload['cognito:username'], username);
});

test('SMS: mfaRequired answered with the code from the outbox', TIMEOUT, async () => {
  const phone = '+15555550142';
  const username = await createUser({ phone });
  await cloud.admin.send(
    new AdminSetUserMFAPreferenceCommand({
      UserPoolId: poolId,
      Username: username,
      SMSMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  const user = new CognitoUser({ Username: username, Pool: pool });
  const [challengeName, parameters] = expect(await signIn(user), 'mfaRequired');
  assert.equal(challengeName, 'SMS_MFA');
  assert.equal(parameters.CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
  assert.notEqual(parameters.CODE_DELIVERY_DESTINATION, phone);
  assert.match(parameters.CODE_DELIVERY_DESTINATION, /0142$/);
  const code = await newestCode(cloud.endpoint, {
    userPoolId: poolId,
    username: phone,
    purpose: 'mfa',
  });
  const [session] = expect(await sendMfaCode(user, code), 'success');
  assert.equal(session.getAccessToken().payload.username, username);
});

test('new password: newPasswordRequired → completeNewPasswordChallenge', TIMEOUT, async () => {
  const temporary = 'Temp0rary-Pass!';
  const username = await createUser({ temporaryPassword: temporary });
  const user = new CognitoUser({ Username: username, Pool: pool });
  const [userAttributes, requiredAttributes] = expect(
    await signIn(user, temporary),
    'newPasswordRequired',
  );
  assert.equal(userAttributes.email, `${username}@example.test`);
  assert.deepEqual(requiredAttributes, []);
  const finished = await new Promise((resolve) =>
    user.completeNewPasswordChallenge(PASSWORD, {}, events(resolve)),
  );
  expect(finished, 'success');
  const again = new CognitoUser({ Username: username, Pool: pool });
  expect(await signIn(again), 'success');
});

test('remembered device: DEVICE_SRP_AUTH on the next sign-in skips MFA', TIMEOUT, async () => {
  const username = await createUser();
  const secret = await enrolTotp(username);

  // The device the library confirmed at the enrolment's sign-in is tracked, not remembered:
  // TOTP is still asked. Answer it, then remember the device.
  const user = new CognitoUser({ Username: username, Pool: pool });
  expect(await signIn(user), 'totpRequired');
  expect(await sendMfaCode(user, totp(secret, 1), 'SOFTWARE_TOKEN_MFA'), 'success');
  const deviceKey = user.deviceKey;
  assert.ok(deviceKey, 'the library kept the device key');
  await new Promise((resolve, reject) =>
    user.setDeviceStatusRemembered({ onSuccess: resolve, onFailure: reject }),
  );

  // A new CognitoUser object (same storage): USER_SRP_AUTH, then DEVICE_SRP_AUTH, no TOTP.
  const next = new CognitoUser({ Username: username, Pool: pool });
  const [session] = expect(await signIn(next), 'success');
  assert.equal(session.getIdToken().payload['cognito:username'], username);

  const devices = await cloud.admin.send(
    new AdminListDevicesCommand({ UserPoolId: poolId, Username: username }),
  );
  const device = devices.Devices.find((d) => d.DeviceKey === deviceKey);
  assert.ok(device, `device ${deviceKey} listed: ${JSON.stringify(devices.Devices)}`);
  const remembered = device.DeviceAttributes.find((a) => a.Name === 'dev:device_remembered_status');
  assert.equal(remembered?.Value, 'remembered', JSON.stringify(device.DeviceAttributes));
  assert.ok(device.DeviceLastAuthenticatedDate, 'the device sign-in was recorded');
});
