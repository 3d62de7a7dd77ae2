//! The crate's error type: everything that can go wrong reading or deploying a template.

use crate::location::Location;
use crate::resource_type::ResourceType;

/// Why a template could not be read, planned or deployed.
///
/// Every variant names what it is about (the parameter, the resource and its type, the intrinsic
/// function) and, where it comes from inside the template, its [`Location`]. Parameter values are
/// never included, since a `NoEcho` parameter may hold a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// The text is not valid YAML or JSON.
    #[error("the template is not valid {format}: {message}")]
    Syntax {
        /// `"YAML"` or `"JSON"`.
        format: &'static str,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A YAML tag that is not a CloudFormation short-form function (`!Ref`, `!Sub`, …).
    #[error("unsupported YAML tag `{tag}` at {location}")]
    UnsupportedYamlTag {
        /// The tag as written.
        tag: String,
        /// Where it is.
        location: Location,
    },
    /// The template's structure is wrong (a section or a field has the wrong shape).
    #[error("invalid template at {location}: {reason}")]
    Invalid {
        /// Where the problem is.
        location: Location,
        /// What is wrong.
        reason: String,
    },
    /// A template feature this evaluator does not implement (`Transform`, `Rules`, outputs'
    /// `Export`, resource `CreationPolicy`, …).
    #[error("unsupported template feature `{feature}` at {location}")]
    UnsupportedFeature {
        /// The section or attribute name.
        feature: String,
        /// Where it is.
        location: Location,
    },
    /// A resource type outside [`ResourceType::ALL`].
    #[error(
        "resource `{logical_id}` has unsupported type `{resource_type}` (supported: {supported})"
    )]
    UnsupportedResourceType {
        /// The resource's logical id.
        logical_id: String,
        /// Its `Type` as written.
        resource_type: String,
        /// The supported types, comma-separated.
        supported: String,
    },
    /// An intrinsic function this evaluator does not implement (e.g. `Fn::ImportValue`).
    #[error("unsupported intrinsic function `{function}` at {location}")]
    UnsupportedIntrinsic {
        /// The function name, long form (`Fn::Base64`).
        function: String,
        /// Where it is called.
        location: Location,
    },
    /// A supported intrinsic function called with the wrong arguments, or where it is not allowed.
    #[error("invalid `{function}` at {location}: {reason}")]
    InvalidIntrinsic {
        /// The function name, long form.
        function: String,
        /// Where it is called.
        location: Location,
        /// What is wrong.
        reason: String,
    },
    /// A parameter type other than `String`, `Number`, `List<Number>`, `CommaDelimitedList`.
    #[error("parameter `{parameter}` has unsupported type `{parameter_type}`")]
    UnsupportedParameterType {
        /// The parameter name.
        parameter: String,
        /// Its `Type` as written.
        parameter_type: String,
    },
    /// A value was given for a parameter the template does not declare.
    #[error("parameter `{parameter}` is not declared by the template")]
    UnknownParameter {
        /// The name given.
        parameter: String,
    },
    /// A parameter without `Default` was given no value.
    #[error("parameter `{parameter}` needs a value (it has no default)")]
    MissingParameterValue {
        /// The parameter name.
        parameter: String,
    },
    /// A parameter value breaks its constraints (`AllowedValues`, `AllowedPattern`, `MinValue`,
    /// …). The value itself is not repeated.
    #[error("invalid value for parameter `{parameter}`: {reason}")]
    InvalidParameterValue {
        /// The parameter name.
        parameter: String,
        /// Which constraint is broken.
        reason: String,
    },
    /// A pseudo parameter this evaluator does not provide (`AWS::StackId`,
    /// `AWS::NotificationARNs`).
    #[error("unsupported pseudo parameter `{name}` at {location}")]
    UnsupportedPseudoParameter {
        /// The pseudo parameter.
        name: String,
        /// Where it is used.
        location: Location,
    },
    /// `Ref`, `Fn::Sub`, `Fn::GetAtt` or `DependsOn` names nothing the template declares.
    #[error("`{name}` at {location} is neither a parameter nor a resource of the template")]
    UnknownReference {
        /// The name referred to.
        name: String,
        /// Where.
        location: Location,
    },
    /// A condition name that the `Conditions` section does not declare.
    #[error("condition `{name}` at {location} is not declared")]
    UnknownCondition {
        /// The condition name.
        name: String,
        /// Where.
        location: Location,
    },
    /// Conditions that refer to each other in a circle.
    #[error("conditions refer to each other in a cycle: {}", cycle.join(" -> "))]
    ConditionCycle {
        /// The conditions on the cycle, the first repeated at the end.
        cycle: Vec<String>,
    },
    /// `Fn::GetAtt` of an attribute the resource type does not have.
    #[error(
        "resource `{logical_id}` ({resource_type}) has no attribute `{attribute}` (at {location})"
    )]
    UnknownAttribute {
        /// The resource.
        logical_id: String,
        /// Its type.
        resource_type: ResourceType,
        /// The attribute asked for.
        attribute: String,
        /// Where.
        location: Location,
    },
    /// A reference (outside a branch of `Fn::If` not taken) to a resource whose condition is
    /// false, so that is not created.
    #[error("`{logical_id}` at {location} refers to a resource whose condition is false")]
    ReferenceToSkippedResource {
        /// The resource referred to.
        logical_id: String,
        /// Where.
        location: Location,
    },
    /// Resources that depend on each other in a circle.
    #[error("resources depend on each other in a cycle: {}", cycle.join(" -> "))]
    DependencyCycle {
        /// The resources on the cycle, the first repeated at the end.
        cycle: Vec<String>,
    },
    /// The provisioner failed to create a resource. Resources created before it stay created:
    /// a provisioner that needs all-or-nothing stages its work and commits after success.
    #[error("creating `{logical_id}` ({resource_type}) failed: {source}")]
    Provision {
        /// The resource.
        logical_id: String,
        /// Its type.
        resource_type: ResourceType,
        /// The provisioner's error.
        #[source]
        source: ProvisionError,
    },
    /// The template reads an attribute the provisioner did not return for a resource.
    #[error("the provisioner returned no attribute `{attribute}` for `{logical_id}` (used at {location})")]
    MissingAttribute {
        /// The resource.
        logical_id: String,
        /// The attribute.
        attribute: String,
        /// Where it is read.
        location: Location,
    },
}

impl TemplateError {
    /// A stable machine-readable code for the error class.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Syntax { .. } => "template_syntax",
            Self::UnsupportedYamlTag { .. } => "unsupported_yaml_tag",
            Self::Invalid { .. } => "invalid_template",
            Self::UnsupportedFeature { .. } => "unsupported_feature",
            Self::UnsupportedResourceType { .. } => "unsupported_resource_type",
            Self::UnsupportedIntrinsic { .. } => "unsupported_intrinsic",
            Self::InvalidIntrinsic { .. } => "invalid_intrinsic",
            Self::UnsupportedParameterType { .. } => "unsupported_parameter_type",
            Self::UnknownParameter { .. } => "unknown_parameter",
            Self::MissingParameterValue { .. } => "missing_parameter_value",
            Self::InvalidParameterValue { .. } => "invalid_parameter_value",
            Self::UnsupportedPseudoParameter { .. } => "unsupported_pseudo_parameter",
            Self::UnknownReference { .. } => "unknown_reference",
            Self::UnknownCondition { .. } => "unknown_condition",
            Self::ConditionCycle { .. } => "condition_cycle",
            Self::UnknownAttribute { .. } => "unknown_attribute",
            Self::ReferenceToSkippedResource { .. } => "reference_to_skipped_resource",
            Self::DependencyCycle { .. } => "dependency_cycle",
            Self::Provision { .. } => "provision_failed",
            Self::MissingAttribute { .. } => "missing_attribute",
        }
    }

    pub(crate) fn invalid(location: &Location, reason: impl Into<String>) -> Self {
        Self::Invalid {
            location: location.clone(),
            reason: reason.into(),
        }
    }

    pub(crate) fn invalid_intrinsic(
        function: &str,
        location: &Location,
        reason: impl Into<String>,
    ) -> Self {
        Self::InvalidIntrinsic {
            function: function.to_owned(),
            location: location.clone(),
            reason: reason.into(),
        }
    }
}

/// A provisioner's failure to create one resource.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ProvisionError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl ProvisionError {
    /// A failure described by a message (which must not contain secrets).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// A failure caused by another error.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}
