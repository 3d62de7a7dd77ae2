//! NEW_PASSWORD_REQUIRED: an administrator created the user with a temporary password; the
//! user chooses a new one (and fills in any required attributes) to finish signing in.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

use crate::challenge::{parse_name_list, ChallengeSession, Flow, StepError};
use crate::error::Error;
use crate::secret::Password;
use crate::sign_in::SignInStep;

/// Prefix of attribute names in the challenge's `requiredAttributes` and in the answer.
const ATTRIBUTE_PREFIX: &str = "userAttributes.";

/// Attributes Cognito lists in `userAttributes` that a client must not send back.
const READ_ONLY_ATTRIBUTES: &[&str] = &["sub", "email_verified", "phone_number_verified"];

/// The user must choose a new password (and give the attributes the pool requires).
#[derive(Debug)]
pub struct NewPasswordStep {
    flow: Flow,
    session: ChallengeSession,
    required_attributes: Vec<String>,
    current_attributes: BTreeMap<String, String>,
}

impl NewPasswordStep {
    pub(crate) fn new(
        flow: Flow,
        session: ChallengeSession,
        parameters: &HashMap<String, String>,
    ) -> Self {
        let required_attributes = parse_name_list(parameters.get("requiredAttributes"))
            .into_iter()
            .map(|name| {
                name.strip_prefix(ATTRIBUTE_PREFIX)
                    .map(str::to_owned)
                    .unwrap_or(name)
            })
            .collect();
        let current_attributes = parameters
            .get("userAttributes")
            .and_then(|text| serde_json::from_str::<BTreeMap<String, serde_json::Value>>(text).ok())
            .unwrap_or_default()
            .into_iter()
            .filter(|(name, _)| !READ_ONLY_ATTRIBUTES.contains(&name.as_str()))
            .filter_map(|(name, value)| match value {
                serde_json::Value::String(text) => Some((name, text)),
                _ => None,
            })
            .collect();
        Self {
            flow,
            session,
            required_attributes,
            current_attributes,
        }
    }

    /// Attributes the pool requires and the user does not have yet (e.g. `name`,
    /// `phone_number`); each must be given to [`answer`](Self::answer).
    pub fn required_attributes(&self) -> &[String] {
        &self.required_attributes
    }

    /// The user's current attributes, as Cognito lists them (read-only ones left out).
    pub fn current_attributes(&self) -> &BTreeMap<String, String> {
        &self.current_attributes
    }

    /// Answers with the new password and `attributes` (name, value), which must cover
    /// [`required_attributes`](Self::required_attributes); missing ones give the step back
    /// with [`Error::MissingAttributes`] before anything is sent. A password the pool's policy
    /// refuses gives the step back too.
    pub async fn answer(
        self,
        new_password: &Password,
        attributes: &[(&str, &str)],
    ) -> Result<SignInStep, StepError<Self>> {
        let missing: Vec<String> = self
            .required_attributes
            .iter()
            .filter(|required| !attributes.iter().any(|(name, _)| name == required))
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(StepError::new(
                Error::MissingAttributes { names: missing },
                self,
            ));
        }
        let mut responses =
            HashMap::from([("NEW_PASSWORD".to_owned(), new_password.expose().to_owned())]);
        for (name, value) in attributes {
            responses.insert(format!("{ATTRIBUTE_PREFIX}{name}"), (*value).to_owned());
        }
        let output = self
            .flow
            .respond(
                ChallengeNameType::NewPasswordRequired,
                responses,
                Some(&self.session),
            )
            .await;
        match output {
            Ok(output) => self.flow.next_step(output).await.map_err(StepError::fatal),
            Err(error) => Err(StepError::new(error, self)),
        }
    }
}
