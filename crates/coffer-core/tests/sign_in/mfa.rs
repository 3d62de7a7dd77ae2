//! Every challenge path of issue 3 against the local cloud over loopback HTTP, with one
//! ManualClock shared by the server and the client: TOTP (codes computed here with RFC 6238
//! from the secret), SMS and e-mail codes from `/_local/outbox`, SELECT_MFA_TYPE, MFA_SETUP,
//! NEW_PASSWORD_REQUIRED, remembered devices skipping MFA, wrong codes that can be retried,
//! expired Sessions, password reset and change; and no secret in any Debug or error text.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider as cip;
use cip::types::{
    AttributeType, DeviceConfigurationType, EmailMfaConfigType, EmailMfaSettingsType,
    ExplicitAuthFlowsType, SmsConfigurationType, SmsMfaConfigType, SmsMfaSettingsType,
    SoftwareTokenMfaConfigType, UserPoolMfaType, UsernameAttributeType, VerifiedAttributeType,
};
use coffer_core::{
    Client, Config, DeviceRemembering, Error, MemoryStore, MfaKind, MfaPreference, Password,
    SecretStore, SignInStep, TotpSecret, VerificationCode,
};
use local_cloud::{LocalCloudConfig, RunningLocalCloud};
use time::OffsetDateTime;

use super::{SharedClock, PASSWORD};

/// A local cloud with a ManualClock, a pool of our own and an admin SDK client for it.
pub struct MfaWorld {
    pub cloud: RunningLocalCloud,
    pub clock: local_cloud::ManualClock,
    pub admin: cip::Client,
    pub pool_id: String,
    pub client_id: String,
    _data: tempfile::TempDir,
}

/// How the test pool is set up.
#[derive(Clone)]
pub struct PoolSetup {
    pub mfa: UserPoolMfaType,
    pub remember_devices: bool,
    /// Offer only TOTP (no SMS or e-mail MFA).
    pub totp_only: bool,
}

impl MfaWorld {
    pub async fn start(setup: PoolSetup) -> Self {
        let PoolSetup {
            mfa,
            remember_devices,
            totp_only,
        } = setup;
        // Whole seconds, mid-way through a TOTP step, so codes computed here match the
        // server's step exactly.
        let start = OffsetDateTime::from_unix_timestamp(
            OffsetDateTime::now_utc().unix_timestamp() / 30 * 30 + 10,
        )
        .unwrap();
        let clock = local_cloud::ManualClock::new(start);
        let data = tempfile::tempdir().expect("temp dir");
        let mut config =
            LocalCloudConfig::new("127.0.0.1:0".parse().unwrap(), data.path().to_path_buf());
        config.clock = Arc::new(clock.clone());
        let cloud = local_cloud::start(config)
            .await
            .expect("local cloud starts");
        let admin_credentials = cloud.admin_credentials();
        let credentials = cip::config::Credentials::new(
            admin_credentials.access_key_id.clone(),
            admin_credentials.secret_access_key.expose().to_owned(),
            None,
            None,
            "local-cloud-admin",
        );
        let admin = cip::Client::from_conf(
            cip::Config::builder()
                .behavior_version(cip::config::BehaviorVersion::latest())
                .region(cip::config::Region::new(cloud.demo().region.clone()))
                .endpoint_url(cloud.endpoint())
                .credentials_provider(credentials)
                .build(),
        );
        let mut pool = admin
            .create_user_pool()
            .pool_name("mfa-tests")
            .username_attributes(UsernameAttributeType::Email)
            .auto_verified_attributes(VerifiedAttributeType::Email)
            .auto_verified_attributes(VerifiedAttributeType::PhoneNumber)
            .sms_configuration(
                SmsConfigurationType::builder()
                    .sns_caller_arn("arn:aws:iam::000000000000:role/coffer-sms")
                    .build(),
            );
        if remember_devices {
            pool = pool.device_configuration(
                DeviceConfigurationType::builder()
                    .challenge_required_on_new_device(true)
                    .device_only_remembered_on_user_prompt(true)
                    .build(),
            );
        }
        let pool_id = pool
            .send()
            .await
            .expect("CreateUserPool")
            .user_pool
            .and_then(|pool| pool.id)
            .expect("pool id");
        let mut mfa_config = admin
            .set_user_pool_mfa_config()
            .user_pool_id(&pool_id)
            .mfa_configuration(mfa)
            .software_token_mfa_configuration(
                SoftwareTokenMfaConfigType::builder().enabled(true).build(),
            );
        if !totp_only {
            mfa_config = mfa_config
                .sms_mfa_configuration(
                    SmsMfaConfigType::builder()
                        .sms_authentication_message("Your Coffer code is {####}")
                        .sms_configuration(
                            SmsConfigurationType::builder()
                                .sns_caller_arn("arn:aws:iam::000000000000:role/coffer-sms")
                                .build(),
                        )
                        .build(),
                )
                .email_mfa_configuration(
                    EmailMfaConfigType::builder()
                        .message("Your Coffer code is {####}")
                        .subject("Coffer sign-in code")
                        .build(),
                );
        }
        mfa_config.send().await.expect("SetUserPoolMfaConfig");
        let client_id = admin
            .create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name("mfa-tests")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .send()
            .await
            .expect("CreateUserPoolClient")
            .user_pool_client
            .and_then(|client| client.client_id)
            .expect("client id");
        Self {
            cloud,
            clock,
            admin,
            pool_id,
            client_id,
            _data: data,
        }
    }

    pub fn config(&self) -> Config {
        let endpoint = self.cloud.endpoint();
        Config::from_toml_str(&format!(
            "region = \"{}\"\nuser_pool_id = \"{}\"\nclient_id = \"{}\"\n[endpoints]\ncognito_idp = \"{endpoint}\"\n",
            self.cloud.demo().region,
            self.pool_id,
            self.client_id
        ))
        .expect("config")
    }

    /// A client on the shared clock with its own in-memory keychain.
    pub fn client(&self) -> (Client, Arc<MemoryStore>) {
        let store = Arc::new(MemoryStore::new());
        let client = Client::builder(self.config(), store.clone())
            .clock(Arc::new(SharedClock(self.clock.clone())))
            .build()
            .expect("client");
        (client, store)
    }

    /// A confirmed user with a permanent password, a verified e-mail and phone number.
    pub async fn user(&self, email: &str, phone: &str) {
        self.user_with(
            email,
            &[
                ("email_verified", "true"),
                ("phone_number", phone),
                ("phone_number_verified", "true"),
            ],
        )
        .await;
    }

    /// A confirmed user `email` (its `email` attribute set) with a permanent password and
    /// these other attributes.
    pub async fn user_with(&self, email: &str, attributes: &[(&str, &str)]) {
        let mut create = self
            .admin
            .admin_create_user()
            .user_pool_id(&self.pool_id)
            .username(email)
            .message_action(cip::types::MessageActionType::Suppress)
            .user_attributes(attribute("email", email));
        for (name, value) in attributes {
            create = create.user_attributes(attribute(name, value));
        }
        create.send().await.expect("AdminCreateUser");
        self.admin
            .admin_set_user_password()
            .user_pool_id(&self.pool_id)
            .username(email)
            .password(PASSWORD)
            .permanent(true)
            .send()
            .await
            .expect("AdminSetUserPassword");
    }

    /// Enables SMS and/or e-mail MFA for a user, as an administrator.
    pub async fn enable_mfa(&self, email: &str, sms: bool, mail: bool, preferred: Option<MfaKind>) {
        let mut request = self
            .admin
            .admin_set_user_mfa_preference()
            .user_pool_id(&self.pool_id)
            .username(email);
        if sms {
            request = request.sms_mfa_settings(
                SmsMfaSettingsType::builder()
                    .enabled(true)
                    .preferred_mfa(preferred == Some(MfaKind::Sms))
                    .build(),
            );
        }
        if mail {
            request = request.email_mfa_settings(
                EmailMfaSettingsType::builder()
                    .enabled(true)
                    .preferred_mfa(preferred == Some(MfaKind::Email))
                    .build(),
            );
        }
        request.send().await.expect("AdminSetUserMFAPreference");
    }

    /// Messages in the outbox for `purpose` sent to `destination`, newest last.
    pub async fn outbox_codes(&self, destination: &str, purpose: &str) -> Vec<String> {
        let url = format!("{}/_local/outbox", self.cloud.endpoint());
        let messages: Vec<serde_json::Value> = reqwest::get(&url)
            .await
            .expect("outbox reachable")
            .json()
            .await
            .expect("outbox is JSON");
        messages
            .iter()
            .filter(|message| {
                message["destination"] == destination && message["purpose"] == purpose
            })
            .filter_map(|message| message["code"].as_str().map(str::to_owned))
            .collect()
    }

    pub async fn newest_code(&self, destination: &str, purpose: &str) -> VerificationCode {
        let codes = self.outbox_codes(destination, purpose).await;
        VerificationCode::new(
            codes
                .last()
                .unwrap_or_else(|| panic!("no {purpose} code for {destination}"))
                .as_str(),
        )
    }

    /// The TOTP code for `secret` at the shared clock's time.
    pub fn totp(&self, secret: &TotpSecret) -> VerificationCode {
        VerificationCode::new(totp_at(secret, local_cloud::Clock::now(&self.clock)))
    }

    /// Moves the shared clock to the next TOTP step (a code cannot be used twice).
    pub fn next_totp_step(&self) {
        self.clock.advance(Duration::from_secs(30));
    }
}

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

/// RFC 6238 (SHA-1, 6 digits, 30 s) with totp-rs.
pub fn totp_at(secret: &TotpSecret, at: OffsetDateTime) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret.expose()).expect("the secret is base32");
    let totp = totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret)
        .build_noncompliant();
    totp.generate(u64::try_from(at.unix_timestamp()).expect("after 1970"))
        .to_string()
}

/// A code that is not `code` (same length).
pub fn wrong(code: &VerificationCode) -> VerificationCode {
    let first = code.expose().chars().next().unwrap_or('0');
    let replacement = if first == '9' {
        '0'
    } else {
        char::from(first as u8 + 1)
    };
    VerificationCode::new(format!("{replacement}{}", &code.expose()[1..]))
}

pub async fn password_step(client: &Client, email: &str, password: &str) -> SignInStep {
    client
        .sign_in(email)
        .start()
        .await
        .expect("InitiateAuth")
        .answer(&Password::new(password))
        .await
        .expect("password accepted")
}

/// Signs in (no MFA yet) and enrols TOTP; returns the secret.
async fn enrol_totp(world: &MfaWorld, client: &Client, email: &str) -> TotpSecret {
    let SignInStep::Done(_) = password_step(client, email, PASSWORD).await else {
        panic!("a user without MFA signs in with the password alone");
    };
    let enrollment = client
        .begin_totp_setup()
        .await
        .expect("AssociateSoftwareToken");
    let secret = enrollment.setup().secret().clone();
    let uri = enrollment.setup().otpauth_uri();
    assert!(
        uri.starts_with("otpauth://totp/Coffer:"),
        "{}",
        uri.as_str()
    );
    assert!(uri.contains(&format!("secret={}", secret.expose())));
    assert!(uri.ends_with("&issuer=Coffer"));
    assert!(enrollment.setup().qr_svg().unwrap().contains("<svg"));
    // A wrong first code gives the enrolment back; the right one completes it.
    let refused = enrollment
        .confirm(&wrong(&world.totp(&secret)))
        .await
        .expect_err("wrong code");
    assert!(
        matches!(refused.error(), Error::CodeMismatch),
        "{refused:?}"
    );
    let enrollment = refused.into_retry().expect("a wrong code can be retried");
    enrollment
        .confirm(&world.totp(&secret))
        .await
        .expect("VerifySoftwareToken + SetUserMFAPreference");
    let settings = client.mfa_settings().await.expect("GetUser");
    assert_eq!(settings.enabled, vec![MfaKind::Totp]);
    assert_eq!(settings.preferred, Some(MfaKind::Totp));
    client.sign_out().await.expect("sign-out");
    secret
}

fn optional() -> PoolSetup {
    PoolSetup {
        mfa: UserPoolMfaType::Optional,
        remember_devices: false,
        totp_only: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totp_sign_in_with_a_wrong_code_retried_and_an_expired_session() {
    let world = MfaWorld::start(optional()).await;
    let (client, _) = world.client();
    let email = "ada@example.com";
    world.user(email, "+15555550100").await;
    let secret = enrol_totp(&world, &client, email).await;

    // The enrolment's code was spent: sign in one TOTP step later.
    world.next_totp_step();
    let step = password_step(&client, email, PASSWORD).await;
    let SignInStep::MfaCode(code_step) = step else {
        panic!("expected a TOTP code step, got {step:?}");
    };
    assert_eq!(code_step.kind(), MfaKind::Totp);
    assert!(code_step.delivery().is_none());

    // Wrong code: CodeMismatch, and the step comes back with its Session.
    let refused = code_step
        .answer(&wrong(&world.totp(&secret)))
        .await
        .expect_err("wrong code");
    assert!(
        matches!(refused.error(), Error::CodeMismatch),
        "{refused:?}"
    );
    assert_eq!(refused.error().code(), "code_mismatch");
    let code_step = refused.into_retry().expect("the step comes back");
    let SignInStep::Done(session) = code_step
        .answer(&world.totp(&secret))
        .await
        .expect("the right code")
    else {
        panic!("expected Done");
    };
    assert_eq!(session.id_claims().email.as_deref(), Some(email));
    assert!(client.stored_tokens().await.unwrap().is_some());

    // A Session older than three minutes is refused: SessionExpired, no retry.
    world.next_totp_step();
    let SignInStep::MfaCode(code_step) = password_step(&client, email, PASSWORD).await else {
        panic!("expected a TOTP code step");
    };
    world.clock.advance(Duration::from_secs(4 * 60));
    let refused = code_step
        .answer(&world.totp(&secret))
        .await
        .expect_err("expired Session");
    assert!(
        matches!(refused.error(), Error::SessionExpired),
        "{refused:?}"
    );
    assert!(!refused.can_retry());

    // Preference off: the password alone signs in again.
    client
        .set_mfa_preference(MfaPreference::None)
        .await
        .expect("MFA off");
    assert!(client.mfa_settings().await.unwrap().enabled.is_empty());
    world.next_totp_step();
    assert!(matches!(
        password_step(&client, email, PASSWORD).await,
        SignInStep::Done(_)
    ));
    world.cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_and_email_codes_from_the_outbox_and_select_mfa_type() {
    let world = MfaWorld::start(optional()).await;
    let (client, _) = world.client();
    let phone = "+15555550101";
    let email = "grace@example.com";
    world.user(email, phone).await;

    // SMS only.
    world
        .enable_mfa(email, true, false, Some(MfaKind::Sms))
        .await;
    let step = password_step(&client, email, PASSWORD).await;
    let SignInStep::MfaCode(code_step) = step else {
        panic!("expected an SMS code step, got {step:?}");
    };
    assert_eq!(code_step.kind(), MfaKind::Sms);
    let delivery = code_step
        .delivery()
        .expect("CODE_DELIVERY_DESTINATION")
        .clone();
    assert_eq!(delivery.medium, coffer_core::DeliveryMedium::Sms);
    assert_ne!(delivery.destination, phone, "the destination is masked");
    assert!(
        delivery.destination.ends_with("0101"),
        "{}",
        delivery.destination
    );
    let code = world.newest_code(phone, "mfa").await;
    let refused = code_step
        .answer(&wrong(&code))
        .await
        .expect_err("wrong SMS code");
    assert!(matches!(refused.error(), Error::CodeMismatch));
    let code_step = refused.into_retry().expect("retry");
    let step = code_step.answer(&code).await.expect("SMS code");
    assert!(matches!(step, SignInStep::Done(_)), "{step:?}");

    // Both SMS and e-mail enabled, neither preferred: SELECT_MFA_TYPE.
    world.enable_mfa(email, true, true, None).await;
    let step = password_step(&client, email, PASSWORD).await;
    let SignInStep::SelectMfa(select) = step else {
        panic!("expected SELECT_MFA_TYPE, got {step:?}");
    };
    let mut offered = select.options().to_vec();
    offered.sort_by_key(|kind| kind.challenge_name());
    assert_eq!(offered, vec![MfaKind::Email, MfaKind::Sms]);
    // Choosing a factor that was not offered is refused here and the step comes back.
    let refused = select.choose(MfaKind::Totp).await.expect_err("not offered");
    let select = refused.into_retry().expect("retry");
    let step = select.choose(MfaKind::Email).await.expect("choose e-mail");
    let SignInStep::MfaCode(code_step) = step else {
        panic!("expected an e-mail code step, got {step:?}");
    };
    assert_eq!(code_step.kind(), MfaKind::Email);
    let delivery = code_step.delivery().expect("destination");
    assert_eq!(delivery.medium, coffer_core::DeliveryMedium::Email);
    assert_ne!(delivery.destination, email);
    let code = world.newest_code(email, "mfa").await;
    let step = code_step.answer(&code).await.expect("e-mail code");
    assert!(matches!(step, SignInStep::Done(_)), "{step:?}");
    world.cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mfa_setup_during_sign_in_when_the_pool_requires_mfa() {
    let world = MfaWorld::start(PoolSetup {
        mfa: UserPoolMfaType::On,
        remember_devices: false,
        totp_only: true,
    })
    .await;
    let (client, _) = world.client();
    let email = "hedy@example.com";
    world.user(email, "+15555550102").await;

    let step = password_step(&client, email, PASSWORD).await;
    let SignInStep::SetUpTotp(setup) = step else {
        panic!("expected MFA_SETUP, got {step:?}");
    };
    let secret = setup.setup().secret().clone();
    assert!(setup.setup().otpauth_uri().contains(secret.expose()));
    let debug = format!("{setup:?}");
    assert!(!debug.contains(secret.expose()), "{debug}");
    assert!(setup.setup().qr_terminal().unwrap().lines().count() > 10);
    let refused = setup
        .answer(&wrong(&world.totp(&secret)))
        .await
        .expect_err("wrong first code");
    assert!(
        matches!(refused.error(), Error::CodeMismatch),
        "{refused:?}"
    );
    let setup = refused.into_retry().expect("retry");
    let step = setup
        .answer(&world.totp(&secret))
        .await
        .expect("first code");
    assert!(matches!(step, SignInStep::Done(_)), "{step:?}");

    // From now on the sign-in asks for a TOTP code.
    world.next_totp_step();
    let SignInStep::MfaCode(code_step) = password_step(&client, email, PASSWORD).await else {
        panic!("expected a TOTP code step");
    };
    assert_eq!(code_step.kind(), MfaKind::Totp);
    let step = code_step.answer(&world.totp(&secret)).await.expect("code");
    assert!(matches!(step, SignInStep::Done(_)));
    world.cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_password_required_after_admin_create_user() {
    let world = MfaWorld::start(PoolSetup {
        mfa: UserPoolMfaType::Off,
        remember_devices: false,
        totp_only: false,
    })
    .await;
    let (client, _) = world.client();
    let email = "barbara@example.com";
    let temporary = "Temporary-Pass-1";
    world
        .admin
        .admin_create_user()
        .user_pool_id(&world.pool_id)
        .username(email)
        .temporary_password(temporary)
        .message_action(cip::types::MessageActionType::Suppress)
        .user_attributes(attribute("email", email))
        .user_attributes(attribute("email_verified", "true"))
        .send()
        .await
        .expect("AdminCreateUser");

    let step = password_step(&client, email, temporary).await;
    let debug = format!("{step:?}");
    assert!(!debug.contains(temporary), "{debug}");
    let SignInStep::NewPassword(new_password) = step else {
        panic!("expected NEW_PASSWORD_REQUIRED, got {step:?}");
    };
    assert!(new_password.required_attributes().is_empty());
    assert_eq!(
        new_password
            .current_attributes()
            .get("email")
            .map(String::as_str),
        Some(email)
    );
    assert!(!new_password
        .current_attributes()
        .contains_key("email_verified"));
    // A password the policy refuses gives the step back.
    let refused = new_password
        .answer(&Password::new("short"), &[])
        .await
        .expect_err("weak password");
    assert!(
        matches!(refused.error(), Error::InvalidPassword { .. }),
        "{refused:?}"
    );
    assert!(!format!("{refused:?} {refused}").contains("short\""));
    let new_password = refused.into_retry().expect("retry");
    let step = new_password
        .answer(&Password::new(PASSWORD), &[])
        .await
        .expect("new password");
    assert!(matches!(step, SignInStep::Done(_)), "{step:?}");
    // The temporary password is gone; the new one works.
    let error = client
        .sign_in(email)
        .start()
        .await
        .unwrap()
        .answer(&Password::new(temporary))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::WrongUsernameOrPassword), "{error:?}");
    assert!(matches!(
        password_step(&client, email, PASSWORD).await,
        SignInStep::Done(_)
    ));
    world.cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remembered_device_skips_mfa_until_it_is_forgotten() {
    let world = MfaWorld::start(PoolSetup {
        mfa: UserPoolMfaType::Optional,
        remember_devices: true,
        totp_only: false,
    })
    .await;
    let (client, store) = world.client();
    let email = "katherine@example.com";
    world.user(email, "+15555550103").await;
    let secret = enrol_totp(&world, &client, email).await;

    // Sign in with TOTP, asking to remember the device.
    world.next_totp_step();
    let step = client
        .sign_in(email)
        .remember_device(true)
        .start()
        .await
        .unwrap()
        .answer(&Password::new(PASSWORD))
        .await
        .unwrap();
    let SignInStep::MfaCode(code_step) = step else {
        panic!("a new device is asked for MFA, got {step:?}");
    };
    let SignInStep::Done(session) = code_step.answer(&world.totp(&secret)).await.unwrap() else {
        panic!("expected Done");
    };
    let DeviceRemembering::Remembered { device_key } = session.device().clone() else {
        panic!("expected a remembered device, got {:?}", session.device());
    };
    // The device secrets are in the keychain, under the user's pool username.
    let entry = store
        .load(&client.device_store_key(session.username()))
        .unwrap()
        .expect("device secrets stored");
    let stored: serde_json::Value = serde_json::from_str(&entry).unwrap();
    assert_eq!(stored["device_key"], device_key.as_str());
    let device_password = stored["device_password"].as_str().unwrap().to_owned();
    assert!(device_password.len() >= 40);

    assert_eq!(
        client.this_device_key().await.unwrap().as_deref(),
        Some(device_key.as_str())
    );

    // Next sign-in: DEVICE_SRP_AUTH is answered from the keychain; no MFA.
    client.sign_out().await.unwrap();
    world.next_totp_step();
    let step = password_step(&client, email, PASSWORD).await;
    let SignInStep::Done(session) = step else {
        panic!("a remembered device skips MFA, got {step:?}");
    };
    assert_eq!(
        session.device(),
        &DeviceRemembering::Remembered {
            device_key: device_key.clone()
        }
    );
    for debug in [format!("{session:?}"), format!("{client:?}")] {
        assert!(!debug.contains(&device_password), "{debug}");
    }

    // ListDevices shows it as this device, remembered (AWS's attribute
    // `dev:device_remembered_status`).
    let devices = client.list_devices().await.expect("ListDevices");
    let this = devices
        .iter()
        .find(|device| device.device_key == device_key)
        .expect("the device is listed");
    assert!(this.is_this_device, "{this:?}");
    let remembered_in_list = this.remembered;

    // Forgotten: the keychain entry goes and MFA is asked again.
    let forgotten = client.forget_device(None).await.expect("ForgetDevice");
    assert_eq!(forgotten, device_key);
    assert!(store
        .load(&client.device_store_key(session.username()))
        .unwrap()
        .is_none());
    assert!(client
        .list_devices()
        .await
        .unwrap()
        .iter()
        .all(|d| d.device_key != device_key));
    let error = client.forget_device(None).await.unwrap_err();
    assert!(matches!(error, Error::DeviceNotRemembered), "{error:?}");
    client.sign_out().await.unwrap();
    world.next_totp_step();
    assert!(matches!(
        password_step(&client, email, PASSWORD).await,
        SignInStep::MfaCode(_)
    ));

    // Remembered again, then forgotten by an administrator: this keychain still holds the
    // device, the pool does not. The next sign-in asks for MFA and drops the stale secrets.
    world.next_totp_step();
    let step = client
        .sign_in(email)
        .remember_device(true)
        .start()
        .await
        .unwrap()
        .answer(&Password::new(PASSWORD))
        .await
        .unwrap();
    let SignInStep::MfaCode(code_step) = step else {
        panic!("expected MFA, got {step:?}");
    };
    let SignInStep::Done(session) = code_step.answer(&world.totp(&secret)).await.unwrap() else {
        panic!("expected Done");
    };
    let DeviceRemembering::Remembered {
        device_key: second_key,
    } = session.device().clone()
    else {
        panic!("expected a remembered device, got {:?}", session.device());
    };
    assert_ne!(second_key, device_key, "a new device after forgetting");
    world
        .admin
        .admin_forget_device()
        .user_pool_id(&world.pool_id)
        .username(email)
        .device_key(&second_key)
        .send()
        .await
        .expect("AdminForgetDevice");
    client.sign_out().await.unwrap();
    world.next_totp_step();
    let step = password_step(&client, email, PASSWORD).await;
    let SignInStep::MfaCode(code_step) = step else {
        panic!("a forgotten device is asked for MFA, got {step:?}");
    };
    let SignInStep::Done(session) = code_step.answer(&world.totp(&secret)).await.unwrap() else {
        panic!("expected Done");
    };
    assert_eq!(session.device(), &DeviceRemembering::NotRequested);
    // The stale secrets are gone; the keychain now holds the new device this sign-in was
    // given, confirmed (tracked, not remembered) so that its refresh token works.
    let entry = store
        .load(&client.device_store_key(session.username()))
        .unwrap()
        .expect("the new, tracked device");
    let stored: serde_json::Value = serde_json::from_str(&entry).unwrap();
    assert_ne!(
        stored["device_key"],
        second_key.as_str(),
        "the stale device secrets are gone"
    );
    assert_eq!(
        session.access_claims().device_key.as_deref(),
        stored["device_key"].as_str(),
        "the tokens are issued to the new device"
    );

    assert!(
        remembered_in_list,
        "ListDevices must list the device with dev:device_remembered_status = remembered"
    );
    world.cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_and_change_password() {
    let world = MfaWorld::start(PoolSetup {
        mfa: UserPoolMfaType::Off,
        remember_devices: false,
        totp_only: false,
    })
    .await;
    let (client, _) = world.client();
    let email = "margaret@example.com";
    world.user(email, "+15555550104").await;

    let delivery = client
        .forgot_password(email)
        .await
        .expect("ForgotPassword")
        .expect("a code was sent");
    assert_eq!(delivery.medium, coffer_core::DeliveryMedium::Email);
    assert_ne!(delivery.destination, email);
    let code = world.newest_code(email, "forgot-password").await;
    let reset = "Reset-Password-77";
    let error = client
        .confirm_forgot_password(email, &wrong(&code), &Password::new(reset))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::CodeMismatch), "{error:?}");
    assert!(!format!("{error:?} {error}").contains(code.expose()));
    client
        .confirm_forgot_password(email, &code, &Password::new(reset))
        .await
        .expect("ConfirmForgotPassword");
    let error = client
        .sign_in(email)
        .start()
        .await
        .unwrap()
        .answer(&Password::new(PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::WrongUsernameOrPassword), "{error:?}");
    assert!(matches!(
        password_step(&client, email, reset).await,
        SignInStep::Done(_)
    ));

    // Change: the current password must be right.
    let changed = "Changed-Password-88";
    let error = client
        .change_password(
            &Password::new("Not-The-Password-1"),
            &Password::new(changed),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, Error::WrongUsernameOrPassword), "{error:?}");
    client
        .change_password(&Password::new(reset), &Password::new(changed))
        .await
        .expect("ChangePassword");
    assert!(matches!(
        password_step(&client, email, changed).await,
        SignInStep::Done(_)
    ));
    world.cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_code_secret_or_session_in_debug_or_error_text() {
    let world = MfaWorld::start(PoolSetup {
        mfa: UserPoolMfaType::Optional,
        remember_devices: false,
        totp_only: false,
    })
    .await;
    let (client, _) = world.client();
    let email = "annie@example.com";
    let phone = "+15555550105";
    world.user(email, phone).await;

    // TOTP setup step and enrolment: the secret never shows.
    let SignInStep::Done(_) = password_step(&client, email, PASSWORD).await else {
        panic!("no MFA yet");
    };
    let enrollment = client.begin_totp_setup().await.unwrap();
    let secret = enrollment.setup().secret().clone();
    let mut texts = vec![
        format!("{enrollment:?}"),
        format!("{:?}", enrollment.setup()),
        format!("{secret:?}"),
    ];
    let wrong_code = wrong(&world.totp(&secret));
    let refused = enrollment.confirm(&wrong_code).await.unwrap_err();
    texts.push(format!("{refused:?} {refused}"));
    let enrollment = refused.into_retry().unwrap();
    enrollment.confirm(&world.totp(&secret)).await.unwrap();
    // TOTP off again, so that SMS and e-mail are offered with neither preferred.
    client
        .set_mfa_preference(MfaPreference::None)
        .await
        .unwrap();
    client.sign_out().await.unwrap();

    // SELECT_MFA_TYPE, SMS code step and their errors.
    world.enable_mfa(email, true, true, None).await;
    world.next_totp_step();
    let step = password_step(&client, email, PASSWORD).await;
    texts.push(format!("{step:?}"));
    let SignInStep::SelectMfa(select) = step else {
        panic!("expected SELECT_MFA_TYPE, got {step:?}");
    };
    let step = select.choose(MfaKind::Sms).await.unwrap();
    texts.push(format!("{step:?}"));
    let SignInStep::MfaCode(code_step) = step else {
        panic!("expected an SMS code step");
    };
    let sms_code = world.newest_code(phone, "mfa").await;
    let wrong_sms = wrong(&sms_code);
    let refused = code_step.answer(&wrong_sms).await.unwrap_err();
    texts.push(format!("{refused:?} {refused}"));
    texts.push(format!("{:?} {}", refused.error(), refused.error()));
    let code_step = refused.into_retry().unwrap();
    world.clock.advance(Duration::from_secs(4 * 60));
    let expired = code_step.answer(&sms_code).await.unwrap_err();
    texts.push(format!("{expired:?} {expired}"));
    let error: Error = expired.into();
    texts.push(format!("{error:?} {error}"));

    for text in &texts {
        for secret_text in [
            secret.expose(),
            wrong_code.expose(),
            sms_code.expose(),
            wrong_sms.expose(),
            PASSWORD,
        ] {
            assert!(
                !text.contains(secret_text),
                "{secret_text:?} leaked in {text}"
            );
        }
        // Cognito Sessions are long base64 strings; none may appear.
        assert!(
            !text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '='))
                .any(|word| word.len() > 100),
            "something long and opaque leaked: {text}"
        );
    }
    world.cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_and_verify_attributes() {
    let world = MfaWorld::start(PoolSetup {
        mfa: UserPoolMfaType::Off,
        remember_devices: false,
        totp_only: false,
    })
    .await;
    let (client, _) = world.client();
    let email = "mary@example.com";
    world.user(email, "+15555550106").await;
    let SignInStep::Done(_) = password_step(&client, email, PASSWORD).await else {
        panic!("sign-in");
    };

    let phone = "+15555550199";
    let deliveries = client
        .update_attributes(&[("name", "Mary Somerville"), ("phone_number", phone)])
        .await
        .expect("UpdateUserAttributes");
    let delivery = deliveries
        .iter()
        .find(|delivery| delivery.attribute.as_deref() == Some("phone_number"))
        .unwrap_or_else(|| panic!("a code for the new phone number: {deliveries:?}"));
    assert_eq!(delivery.medium, coffer_core::DeliveryMedium::Sms);
    let value = |attributes: &[coffer_core::UserAttribute], name: &str| {
        attributes
            .iter()
            .find(|attribute| attribute.name == name)
            .map(|attribute| attribute.value.clone())
    };
    let attributes = client.user_attributes().await.expect("GetUser");
    assert_eq!(
        value(&attributes, "name").as_deref(),
        Some("Mary Somerville")
    );
    assert_eq!(value(&attributes, "phone_number").as_deref(), Some(phone));
    assert_eq!(
        value(&attributes, "phone_number_verified").as_deref(),
        Some("false")
    );

    let code = world.newest_code(phone, "attribute-verification").await;
    let error = client
        .verify_attribute("phone_number", &wrong(&code))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::CodeMismatch), "{error:?}");
    client
        .verify_attribute("phone_number", &code)
        .await
        .expect("VerifyUserAttribute");
    let attributes = client.user_attributes().await.unwrap();
    assert_eq!(
        value(&attributes, "phone_number_verified").as_deref(),
        Some("true")
    );
    let again = client
        .send_attribute_verification_code("phone_number")
        .await
        .expect("GetUserAttributeVerificationCode")
        .expect("a delivery");
    assert_eq!(again.medium, coffer_core::DeliveryMedium::Sms);
    assert_eq!(
        world
            .outbox_codes(phone, "attribute-verification")
            .await
            .len(),
        2
    );
    world.cloud.shutdown().await;
}
