// amazon-cognito-identity-js (AWS's own browser SRP client) against the local cloud, under
// `node --test`. Proves that sign-up, confirmation with the e-mailed code, USER_SRP_AUTH sign-in,
// wrong-password refusal and refresh all work with a client Coffer did not write, and that its tokens
// verify (RS256) against the JWKS the server publishes.
//
// The server: started by harness.mjs (fresh data dir, free port), or the one named by
// COFFER_LOCAL_ENDPOINT / COFFER_LOCAL_POOL_ID / COFFER_LOCAL_CLIENT_ID when all three are set.

import assert from 'node:assert/strict';
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { after, before, test } from 'node:test';

import cognito from 'amazon-cognito-identity-js';

import { localCloud, newestCode, readOutbox } from './harness.mjs';

const { AuthenticationDetails, CognitoUser, CognitoUserAttribute, CognitoUserPool } = cognito;

const PASSWORD = 'Corr3ct-Horse-Battery!';
const WRONG_PASSWORD = 'Wr0ng-Horse-Battery!';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TEST_TIMEOUT_MS = 30_000;

let cloud;
let pool;

before(
  async () => {
    cloud = await localCloud();
    pool = new CognitoUserPool({
      UserPoolId: cloud.userPoolId,
      ClientId: cloud.clientId,
      endpoint: cloud.endpoint, // the library POSTs every operation to exactly this URL
    });
  },
  { timeout: 40_000 },
);

after(async () => {
  await cloud?.stop();
});

// --- promise wrappers over the library's callbacks ---------------------------------------------

function signUp(email, password) {
  const attributes = [new CognitoUserAttribute({ Name: 'email', Value: email })];
  return new Promise((resolve, reject) =>
    pool.signUp(email, password, attributes, null, (err, result) => (err ? reject(err) : resolve(result))),
  );
}

function confirmRegistration(user, code) {
  return new Promise((resolve, reject) =>
    user.confirmRegistration(code, true, (err, result) => (err ? reject(err) : resolve(result))),
  );
}

/** USER_SRP_AUTH (the library's default flow). Resolves { user, session }; rejects with the error. */
function authenticate(email, password) {
  const user = new CognitoUser({ Username: email, Pool: pool });
  assert.equal(user.getAuthenticationFlowType(), 'USER_SRP_AUTH');
  const details = new AuthenticationDetails({ Username: email, Password: password });
  return new Promise((resolve, reject) => {
    const fail =
      (step) =>
      (...args) =>
        reject(new Error(`unexpected ${step}: ${JSON.stringify(args)}`));
    user.authenticateUser(details, {
      onSuccess: (session) => resolve({ user, session }),
      onFailure: reject,
      newPasswordRequired: fail('newPasswordRequired'),
      mfaRequired: fail('mfaRequired'),
      totpRequired: fail('totpRequired'),
      customChallenge: fail('customChallenge'),
      mfaSetup: fail('mfaSetup'),
      selectMFAType: fail('selectMFAType'),
    });
  });
}

function refreshSession(user, refreshToken) {
  return new Promise((resolve, reject) =>
    user.refreshSession(refreshToken, (err, session) => (err ? reject(err) : resolve(session))),
  );
}

function getUserAttributes(user) {
  return new Promise((resolve, reject) =>
    user.getUserAttributes((err, attributes) => (err ? reject(err) : resolve(attributes))),
  );
}

// --- token verification ---------------------------------------------------------------------------

const b64url = (text) => Buffer.from(text, 'base64url');

/** Verifies an RS256 JWT against the pool's served JWKS and returns its payload. */
async function verifyJwt(token) {
  const [header64, payload64, signature64] = token.split('.');
  const header = JSON.parse(b64url(header64));
  assert.equal(header.alg, 'RS256');
  const response = await fetch(`${cloud.endpoint}/${cloud.userPoolId}/.well-known/jwks.json`);
  assert.equal(response.status, 200);
  const { keys } = await response.json();
  const jwk = keys.find((key) => key.kid === header.kid);
  assert.ok(jwk, `kid ${header.kid} is not in the served JWKS`);
  const publicKey = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
  const valid = verify('RSA-SHA256', Buffer.from(`${header64}.${payload64}`), publicKey, b64url(signature64));
  assert.ok(valid, 'JWT signature does not verify against the served JWKS');
  return JSON.parse(b64url(payload64));
}

// --- one user signed up through the library, shared by the tests below ------------------------

let confirmedUser; // memoized promise: tests after a failed sign-up fail with its error

function signedUpAndConfirmed() {
  confirmedUser ??= (async () => {
    const email = `js-${randomBytes(5).toString('hex')}@example.test`;
    const signedUp = await signUp(email, PASSWORD);
    assert.equal(signedUp.userConfirmed, false);
    assert.match(signedUp.userSub, UUID);
    const code = await newestCode(cloud.endpoint, {
      userPoolId: cloud.userPoolId,
      username: email,
      purpose: 'sign-up',
    });
    assert.match(code, /^\d{6}$/);
    assert.equal(await confirmRegistration(signedUp.user, code), 'SUCCESS');
    return { email, sub: signedUp.userSub };
  })();
  return confirmedUser;
}

test(
  'signUp, then confirmRegistration with the code from the outbox',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const { email, sub } = await signedUpAndConfirmed();
    assert.ok(email && sub);
  },
);

test(
  'a wrong confirmation code is refused with CodeMismatchException',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const email = `js-mismatch-${randomBytes(5).toString('hex')}@example.test`;
    const { user } = await signUp(email, PASSWORD);
    const code = await newestCode(cloud.endpoint, {
      userPoolId: cloud.userPoolId,
      username: email,
      purpose: 'sign-up',
    });
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    await assert.rejects(confirmRegistration(user, wrong), { code: 'CodeMismatchException' });
    // The real code still works afterwards.
    assert.equal(await confirmRegistration(user, code), 'SUCCESS');
  },
);

test(
  'SRP sign-in yields a session whose tokens verify against the served JWKS',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const { email, sub } = await signedUpAndConfirmed();
    const { session } = await authenticate(email, PASSWORD);
    assert.equal(session.isValid(), true);

    const idPayload = session.getIdToken().decodePayload();
    assert.equal(idPayload.email, email);
    assert.equal(idPayload.sub, sub);
    assert.equal(idPayload.token_use, 'id');

    const idClaims = await verifyJwt(session.getIdToken().getJwtToken());
    assert.equal(idClaims.iss, `${cloud.endpoint}/${cloud.userPoolId}`);
    assert.equal(idClaims.aud, cloud.clientId);
    assert.equal(idClaims.email, email);
    assert.equal(idClaims.email_verified, true);
    assert.equal(idClaims['cognito:username'], sub); // e-mail-as-username pool

    const accessClaims = await verifyJwt(session.getAccessToken().getJwtToken());
    assert.equal(accessClaims.token_use, 'access');
    assert.equal(accessClaims.client_id, cloud.clientId);
    assert.equal(accessClaims.sub, sub);
    assert.ok(session.getRefreshToken().getToken());
  },
);

test('a wrong password fails with NotAuthorizedException', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { email } = await signedUpAndConfirmed();
  await assert.rejects(authenticate(email, WRONG_PASSWORD), (err) => {
    assert.equal(err.code, 'NotAuthorizedException');
    return true;
  });
});

test(
  'refreshSession returns a new valid session for the same user',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const { email, sub } = await signedUpAndConfirmed();
    const { user, session } = await authenticate(email, PASSWORD);
    const refreshed = await refreshSession(user, session.getRefreshToken());
    assert.equal(refreshed.isValid(), true);
    const claims = await verifyJwt(refreshed.getIdToken().getJwtToken());
    assert.equal(claims.sub, sub);
    assert.equal(claims.email, email);
    const accessClaims = await verifyJwt(refreshed.getAccessToken().getJwtToken());
    assert.equal(accessClaims.sub, sub);
    assert.equal(refreshed.getRefreshToken().getToken(), session.getRefreshToken().getToken());
  },
);

test('getUserAttributes with the signed-in session (GetUser)', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { email, sub } = await signedUpAndConfirmed();
  const { user } = await authenticate(email, PASSWORD);
  const attributes = Object.fromEntries(
    (await getUserAttributes(user)).map((a) => [a.getName(), a.getValue()]),
  );
  assert.equal(attributes.email, email);
  assert.equal(attributes.sub, sub);
});

test(
  'an unconfirmed user cannot sign in (UserNotConfirmedException)',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const email = `js-unconfirmed-${randomBytes(5).toString('hex')}@example.test`;
    await signUp(email, PASSWORD);
    await assert.rejects(authenticate(email, PASSWORD), { code: 'UserNotConfirmedException' });
  },
);

test(
  'resendConfirmationCode puts a fresh code in the outbox that confirms the user',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const email = `js-resend-${randomBytes(5).toString('hex')}@example.test`;
    const { user } = await signUp(email, PASSWORD);
    const where = { userPoolId: cloud.userPoolId, username: email, purpose: 'sign-up' };
    const before = (await readOutbox(cloud.endpoint)).length;
    await new Promise((resolve, reject) =>
      user.resendConfirmationCode((err, result) => (err ? reject(err) : resolve(result))),
    );
    assert.ok((await readOutbox(cloud.endpoint)).length > before, 'no new outbox message after resend');
    const code = await newestCode(cloud.endpoint, where);
    assert.equal(await confirmRegistration(user, code), 'SUCCESS');
    const { session } = await authenticate(email, PASSWORD);
    assert.equal(session.isValid(), true);
  },
);

test('globalSignOut ends the access and refresh tokens', { timeout: TEST_TIMEOUT_MS }, async () => {
  const email = `js-signout-${randomBytes(5).toString('hex')}@example.test`;
  const { user: signedUp } = await signUp(email, PASSWORD);
  const code = await newestCode(cloud.endpoint, {
    userPoolId: cloud.userPoolId,
    username: email,
    purpose: 'sign-up',
  });
  await confirmRegistration(signedUp, code);
  const { user, session } = await authenticate(email, PASSWORD);
  await getUserAttributes(user); // alive before

  await new Promise((resolve, reject) => user.globalSignOut({ onSuccess: resolve, onFailure: reject }));

  // The library clears its cache on sign-out: ask with the old tokens through a fresh user object.
  const again = new CognitoUser({ Username: email, Pool: pool });
  again.setSignInUserSession(session);
  await assert.rejects(getUserAttributes(again), { code: 'NotAuthorizedException' });
  await assert.rejects(refreshSession(again, session.getRefreshToken()), { code: 'NotAuthorizedException' });
});
