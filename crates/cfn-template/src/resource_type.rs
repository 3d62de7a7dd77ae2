//! The resource types the evaluator accepts, and the attributes `Fn::GetAtt` may read from each.

use std::fmt;

/// A supported CloudFormation resource type.
///
/// The list is exactly what `infra/coffer.yaml` uses. A provisioner matches on it, so adding a
/// type here makes every provisioner that does not handle it fail to compile instead of failing
/// at run time. A template naming any other type is refused before anything is created
/// ([`crate::TemplateError::UnsupportedResourceType`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceType {
    /// `AWS::Cognito::UserPool`: `Ref` is the pool id.
    CognitoUserPool,
    /// `AWS::Cognito::UserPoolClient`: `Ref` is the client id.
    CognitoUserPoolClient,
    /// `AWS::Cognito::UserPoolDomain`: `Ref` is the domain prefix (or custom domain).
    CognitoUserPoolDomain,
    /// `AWS::Cognito::IdentityPool`: `Ref` is the identity pool id.
    CognitoIdentityPool,
    /// `AWS::Cognito::IdentityPoolRoleAttachment`: `Ref` is an opaque id.
    CognitoIdentityPoolRoleAttachment,
    /// `AWS::IAM::Role`: `Ref` is the role name.
    IamRole,
    /// `AWS::S3::Bucket`: `Ref` is the bucket name.
    S3Bucket,
}

impl ResourceType {
    /// Every supported type.
    pub const ALL: [Self; 7] = [
        Self::CognitoUserPool,
        Self::CognitoUserPoolClient,
        Self::CognitoUserPoolDomain,
        Self::CognitoIdentityPool,
        Self::CognitoIdentityPoolRoleAttachment,
        Self::IamRole,
        Self::S3Bucket,
    ];

    /// The CloudFormation name, e.g. `AWS::S3::Bucket`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CognitoUserPool => "AWS::Cognito::UserPool",
            Self::CognitoUserPoolClient => "AWS::Cognito::UserPoolClient",
            Self::CognitoUserPoolDomain => "AWS::Cognito::UserPoolDomain",
            Self::CognitoIdentityPool => "AWS::Cognito::IdentityPool",
            Self::CognitoIdentityPoolRoleAttachment => "AWS::Cognito::IdentityPoolRoleAttachment",
            Self::IamRole => "AWS::IAM::Role",
            Self::S3Bucket => "AWS::S3::Bucket",
        }
    }

    /// The type with this CloudFormation name, if supported.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The attributes `Fn::GetAtt` may read (as CloudFormation documents them for the type).
    /// A provisioner should return every one of them in [`crate::Created::attributes`]; a
    /// template that reads one it did not return fails with
    /// [`crate::TemplateError::MissingAttribute`].
    pub fn attributes(self) -> &'static [&'static str] {
        match self {
            Self::CognitoUserPool => &["Arn", "ProviderName", "ProviderURL", "UserPoolId"],
            Self::CognitoUserPoolClient => &["ClientId", "ClientSecret", "Name"],
            Self::CognitoUserPoolDomain => &["CloudFrontDistribution"],
            Self::CognitoIdentityPool => &["Id", "Name"],
            Self::CognitoIdentityPoolRoleAttachment => &["Id"],
            Self::IamRole => &["Arn", "RoleId"],
            Self::S3Bucket => &[
                "Arn",
                "DomainName",
                "DualStackDomainName",
                "RegionalDomainName",
                "WebsiteURL",
            ],
        }
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ResourceType;

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for resource_type in ResourceType::ALL {
            assert_eq!(
                ResourceType::from_name(resource_type.as_str()),
                Some(resource_type)
            );
        }
        assert_eq!(ResourceType::from_name("AWS::Lambda::Function"), None);
        assert_eq!(ResourceType::from_name("aws::s3::bucket"), None);
    }
}
