// amazon-cognito-identity-js (SRP, unmodified) against a running local cloud's demo backend.
// Usage: node cognito_identity_js_smoke.js <endpoint> <user pool id> <client id>
// (with amazon-cognito-identity-js installed where Node can find it).
const {
  CognitoUserPool, CognitoUser, AuthenticationDetails,
} = require('amazon-cognito-identity-js');

const [endpoint, UserPoolId, ClientId] = process.argv.slice(2);
const pool = new CognitoUserPool({ UserPoolId, ClientId, endpoint });
const email = `js-${Date.now()}@example.com`;
const password = 'J4vaScript-Secret!';

const signUp = () => new Promise((resolve, reject) => pool.signUp(email, password, [], null,
  (err, result) => (err ? reject(err) : resolve(result))));
const confirm = (user, code) => new Promise((resolve, reject) => user.confirmRegistration(code, true,
  (err, result) => (err ? reject(err) : resolve(result))));
const signIn = (user, pw) => new Promise((resolve, reject) => user.authenticateUser(
  new AuthenticationDetails({ Username: email, Password: pw }),
  { onSuccess: resolve, onFailure: reject },
));

(async () => {
  await signUp();
  const outbox = await (await fetch(`${endpoint}/_local/outbox`)).json();
  const code = outbox.filter((m) => m.destination === email).pop().code;
  const user = new CognitoUser({ Username: email, Pool: pool });
  await confirm(user, code);
  const session = await signIn(user, password);
  if (session.getIdToken().payload.email !== email) throw new Error('wrong id token');
  try {
    await signIn(new CognitoUser({ Username: email, Pool: pool }), 'Wr0ng-Secret!');
    throw new Error('a wrong password was accepted');
  } catch (err) {
    if (err.code !== 'NotAuthorizedException') throw err;
  }
  await new Promise((resolve, reject) => user.getUserAttributes((err, attrs) => (err ? reject(err) : resolve(attrs))));
  console.log('{"amazon-cognito-identity-js": "ok"}');
})().catch((err) => { console.error(err); process.exit(1); });
