// Administrator calls to the local cloud (AdminCreateUser, SetUserPoolMfaConfig, …), signed with
// AWS Signature Version 4 using the admin key the local cloud keeps in its data directory. The
// e2e test uses them to put users in the states that lead to the rarer sign-in steps (a temporary
// password, MFA required, several factors to choose from).
import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const hmac = (key, data) => createHmac("sha256", key).update(data).digest();

/** `key = "value"` lines of a small INI/TOML file, by name. */
function keyValues(text) {
  const values = {};
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Za-z_]+)\s*=\s*"?([^"\n]*)"?\s*$/.exec(line);
    if (match && !(match[1] in values)) values[match[1]] = match[2];
  }
  return values;
}

export class LocalCloudAdmin {
  constructor(endpoint, dataDir) {
    this.endpoint = endpoint;
    const credentials = keyValues(readFileSync(join(dataDir, "credentials"), "utf8"));
    this.keyId = credentials.aws_access_key_id;
    this.secret = credentials.aws_secret_access_key;
    const config = keyValues(readFileSync(join(dataDir, "coffer.toml"), "utf8"));
    this.region = config.region;
    this.userPoolId = config.user_pool_id;
  }

  /** One Cognito admin operation (AWS JSON 1.1, SigV4-signed); throws on an error answer. */
  async call(operation, body) {
    const url = new URL(this.endpoint);
    const payload = JSON.stringify({ UserPoolId: this.userPoolId, ...body });
    const amzDate = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const day = amzDate.slice(0, 8);
    const headers = {
      "content-type": "application/x-amz-json-1.1",
      host: url.host,
      "x-amz-date": amzDate,
      "x-amz-target": `AWSCognitoIdentityProviderService.${operation}`,
    };
    const names = Object.keys(headers).sort();
    const canonical = ["POST", "/", "", ...names.map((name) => `${name}:${headers[name]}`), "", names.join(";"), sha256(payload)].join("\n");
    const scope = `${day}/${this.region}/cognito-idp/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
    let key = hmac(`AWS4${this.secret}`, day);
    for (const part of [this.region, "cognito-idp", "aws4_request"]) key = hmac(key, part);
    const signature = createHmac("sha256", key).update(toSign).digest("hex");
    const authorization = `AWS4-HMAC-SHA256 Credential=${this.keyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
    const { host: _host, ...sent } = headers;
    const response = await fetch(`${url.origin}/`, { method: "POST", headers: { ...sent, authorization }, body: payload });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(`${operation}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  }
}
