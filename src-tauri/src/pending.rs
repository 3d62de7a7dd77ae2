//! The sign-in step waiting for the user, between two commands.
//!
//! The core's steps are values consumed by answering them; the web view cannot hold them, so
//! the app keeps the one pending step ([`PendingStep`]) in its state and hands the UI a view
//! of it ([`SignInOutcome`]). An answer takes the step out, answers it, and puts back either
//! the next step or — when the core gives it back after a correctable error — the same step.
//! A new sign-in, `cancel_sign_in` and sign-out drop it (and its challenge Session with it).

use coffer_core::{
    EmailMfaSetupStep, MfaCodeStep, NewPasswordStep, SelectMfaSetupStep, SelectMfaStep, SignInStep,
    StepError, TotpSetupStep,
};

use crate::error::CommandError;
use crate::ipc::{MfaKindView, SignInOutcome, TotpSetupView};

/// A sign-in step the user has not answered yet.
#[derive(Debug)]
pub enum PendingStep {
    /// A one-time code.
    MfaCode(MfaCodeStep),
    /// A choice of second factor.
    SelectMfa(SelectMfaStep),
    /// Setting up an authenticator app during sign-in.
    SetUpTotp(TotpSetupStep),
    /// A choice of second factor to set up during sign-in.
    SelectMfaSetup(SelectMfaSetupStep),
    /// An e-mail address for sign-in codes, set up during sign-in.
    SetUpEmailMfa(EmailMfaSetupStep),
    /// A new password.
    NewPassword(NewPasswordStep),
}

impl PendingStep {
    /// The command that answers this step, for the "wrong step" error.
    pub fn answered_by(&self) -> &'static str {
        match self {
            Self::MfaCode(_) => "answer_mfa_code",
            Self::SelectMfa(_) => "choose_mfa",
            Self::SetUpTotp(_) => "answer_totp_setup",
            Self::SelectMfaSetup(_) => "choose_mfa_setup",
            Self::SetUpEmailMfa(_) => "answer_email_mfa_setup",
            Self::NewPassword(_) => "answer_new_password",
        }
    }
}

macro_rules! pending_from {
    ($($variant:ident($step:ty)),*) => {
        $(impl From<$step> for PendingStep {
            fn from(step: $step) -> Self {
                Self::$variant(step)
            }
        })*
    };
}
pending_from!(
    MfaCode(MfaCodeStep),
    SelectMfa(SelectMfaStep),
    SetUpTotp(TotpSetupStep),
    SelectMfaSetup(SelectMfaSetupStep),
    SetUpEmailMfa(EmailMfaSetupStep),
    NewPassword(NewPasswordStep)
);

/// What the UI is told about `step`, and the step to keep waiting (none when signed in).
pub fn outcome(step: SignInStep) -> Result<(SignInOutcome, Option<PendingStep>), CommandError> {
    Ok(match step {
        SignInStep::Done(session) => (
            SignInOutcome::SignedIn {
                who: session.whoami().into(),
                device: session.device().into(),
            },
            None,
        ),
        SignInStep::MfaCode(step) => match MfaKindView::from_core(step.kind()) {
            Some(kind) => (
                SignInOutcome::MfaCode {
                    kind,
                    delivery: step.delivery().cloned().map(Into::into),
                },
                Some(step.into()),
            ),
            None => (
                SignInOutcome::Unsupported {
                    challenge: step.kind().challenge_name().to_owned(),
                },
                None,
            ),
        },
        SignInStep::SelectMfa(step) => (
            SignInOutcome::SelectMfa {
                options: MfaKindView::list(step.options()),
            },
            Some(step.into()),
        ),
        SignInStep::SetUpTotp(step) => (
            SignInOutcome::SetUpTotp {
                setup: TotpSetupView::from_core(step.setup())?,
            },
            Some(step.into()),
        ),
        SignInStep::SelectMfaSetup(step) => (
            SignInOutcome::SelectMfaSetup {
                options: MfaKindView::list(step.options()),
            },
            Some(step.into()),
        ),
        SignInStep::SetUpEmailMfa(step) => (SignInOutcome::SetUpEmailMfa, Some(step.into())),
        SignInStep::NewPassword(step) => (
            SignInOutcome::NewPassword {
                required_attributes: step.required_attributes().to_vec(),
            },
            Some(step.into()),
        ),
        SignInStep::Unsupported { challenge } => (SignInOutcome::Unsupported { challenge }, None),
        // SignInStep is non-exhaustive: a newer core may add steps this app does not answer.
        // The UI names it by the step's own name rather than a made-up challenge.
        other => (
            SignInOutcome::Unsupported {
                challenge: step_name(&other),
            },
            None,
        ),
    })
}

/// The name of a core step this app does not know (`SetUpSms` for `SetUpSms(…)`): the
/// leading identifier of its `Debug`, so none of the step's fields go with it.
fn step_name(step: &SignInStep) -> String {
    let shown = format!("{step:?}");
    let name: String = shown
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if name.is_empty() {
        "an unnamed step".to_owned()
    } else {
        name
    }
}

/// Splits a refused answer into the error for the UI (saying whether the step is kept) and
/// the step to keep waiting, if the core gave it back.
pub fn refused<S: Into<PendingStep>>(error: StepError<S>) -> (CommandError, Option<PendingStep>) {
    let (error, retry) = error.into_parts();
    let kept = retry.is_some();
    (
        CommandError::from(error).with_step_kept(kept),
        retry.map(Into::into),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_is_named_by_its_variant_without_its_fields() {
        let step = SignInStep::Unsupported {
            challenge: "CUSTOM_CHALLENGE".to_owned(),
        };
        assert_eq!(step_name(&step), "Unsupported");
    }
}
