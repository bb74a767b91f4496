//! The permission vocabulary: Coder's resource types and actions, which action each type supports,
//! and the [`Permission`] triple roles are made of.
//!
//! The lists are exactly the `codersdk.RBACResource` and `codersdk.RBACAction` enums of the seed
//! (44 resource types counting `*`, 18 actions), and the valid actions per type follow Coder's
//! generated table restricted to those types.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            /// Every value, in declaration order (which is also the order of the `u8` index).
            pub const VALUES: &'static [$name] = &[ $( $name::$variant ),+ ];

            /// The wire spelling.
            pub const fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text ),+ }
            }

            /// A dense index, usable for bit sets and tables.
            pub const fn index(self) -> usize {
                self as usize
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $text => Ok($name::$variant), )+
                    _ => Err(UnknownName(s.to_owned())),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A name that is not part of the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown name {0:?}")]
pub struct UnknownName(pub String);

string_enum! {
    /// A resource type (`codersdk.RBACResource`). `Wildcard` (`*`) matches every type.
    pub enum ResourceType {
        Wildcard = "*",
        AibridgeInterception = "aibridge_interception",
        ApiKey = "api_key",
        AssignOrgRole = "assign_org_role",
        AssignRole = "assign_role",
        AuditLog = "audit_log",
        BoundaryUsage = "boundary_usage",
        Chat = "chat",
        ConnectionLog = "connection_log",
        CryptoKey = "crypto_key",
        DebugInfo = "debug_info",
        DeploymentConfig = "deployment_config",
        DeploymentStats = "deployment_stats",
        File = "file",
        Group = "group",
        GroupMember = "group_member",
        IdpsyncSettings = "idpsync_settings",
        InboxNotification = "inbox_notification",
        License = "license",
        NotificationMessage = "notification_message",
        NotificationPreference = "notification_preference",
        NotificationTemplate = "notification_template",
        Oauth2App = "oauth2_app",
        Oauth2AppCodeToken = "oauth2_app_code_token",
        Oauth2AppSecret = "oauth2_app_secret",
        Organization = "organization",
        OrganizationMember = "organization_member",
        PrebuiltWorkspace = "prebuilt_workspace",
        ProvisionerDaemon = "provisioner_daemon",
        ProvisionerJobs = "provisioner_jobs",
        Replicas = "replicas",
        System = "system",
        TailnetCoordinator = "tailnet_coordinator",
        Task = "task",
        Template = "template",
        UsageEvent = "usage_event",
        User = "user",
        UserSecret = "user_secret",
        WebpushSubscription = "webpush_subscription",
        Workspace = "workspace",
        WorkspaceAgentDevcontainers = "workspace_agent_devcontainers",
        WorkspaceAgentResourceMonitor = "workspace_agent_resource_monitor",
        WorkspaceDormant = "workspace_dormant",
        WorkspaceProxy = "workspace_proxy",
    }
}

string_enum! {
    /// An action (`codersdk.RBACAction`). `Wildcard` (`*`) is not part of the wire enum but may
    /// appear in built-in roles; custom roles may never carry it.
    pub enum Action {
        ApplicationConnect = "application_connect",
        Assign = "assign",
        Create = "create",
        CreateAgent = "create_agent",
        Delete = "delete",
        DeleteAgent = "delete_agent",
        Read = "read",
        ReadPersonal = "read_personal",
        Share = "share",
        Ssh = "ssh",
        Start = "start",
        Stop = "stop",
        Unassign = "unassign",
        Update = "update",
        UpdateAgent = "update_agent",
        UpdatePersonal = "update_personal",
        Use = "use",
        ViewInsights = "view_insights",
        Wildcard = "*",
    }
}

/// A set of actions as a bit mask: bit `Action::index()` is set for each member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ActionSet(pub u32);

impl ActionSet {
    /// No action.
    pub const EMPTY: ActionSet = ActionSet(0);
    /// Every concrete action (the wildcard bit excluded).
    pub const ALL: ActionSet = ActionSet((1 << Action::Wildcard.index()) - 1);

    /// The set of the given actions; `Action::Wildcard` stands for [`ActionSet::ALL`].
    pub const fn of(actions: &[Action]) -> ActionSet {
        let mut bits = 0u32;
        let mut i = 0;
        while i < actions.len() {
            bits |= match actions[i] {
                Action::Wildcard => ActionSet::ALL.0,
                a => 1 << a.index(),
            };
            i += 1;
        }
        ActionSet(bits)
    }

    /// Whether the set holds `action` (for `Action::Wildcard`: every concrete action).
    pub const fn contains(self, action: Action) -> bool {
        let want = ActionSet::of(&[action]).0;
        self.0 & want == want && want != 0
    }

    /// The actions of the set, in index order.
    pub fn iter(self) -> impl Iterator<Item = Action> {
        Action::VALUES
            .iter()
            .copied()
            .filter(move |a| *a != Action::Wildcard && self.0 & (1 << a.index()) != 0)
    }
}

impl ResourceType {
    /// The actions Coder defines for this type. The wildcard type accepts every action.
    pub const fn valid_actions(self) -> ActionSet {
        use Action::*;
        use ResourceType as R;
        const CRUD: &[Action] = &[Create, Read, Update, Delete];
        const WORKSPACE: &[Action] = &[
            ApplicationConnect,
            Create,
            CreateAgent,
            Delete,
            DeleteAgent,
            Read,
            Share,
            Ssh,
            Start,
            Stop,
            Update,
            UpdateAgent,
        ];
        ActionSet::of(match self {
            R::Wildcard => &[Action::Wildcard],
            R::AibridgeInterception => &[Create, Read, Update],
            R::ApiKey => CRUD,
            R::AssignOrgRole => &[Assign, Create, Delete, Read, Unassign, Update],
            R::AssignRole => &[Assign, Read, Unassign],
            R::AuditLog => &[Create, Read],
            R::BoundaryUsage => &[Delete, Read, Update],
            R::Chat => &[Create, Delete, Read, Share, Update],
            R::ConnectionLog => &[Read, Update],
            R::CryptoKey => CRUD,
            R::DebugInfo => &[Read],
            R::DeploymentConfig => &[Read, Update],
            R::DeploymentStats => &[Read],
            R::File => &[Create, Read],
            R::Group => CRUD,
            R::GroupMember => &[Read],
            R::IdpsyncSettings => &[Read, Update],
            R::InboxNotification => &[Create, Read, Update],
            R::License => &[Create, Delete, Read],
            R::NotificationMessage => CRUD,
            R::NotificationPreference => &[Read, Update],
            R::NotificationTemplate => &[Read, Update],
            R::Oauth2App => CRUD,
            R::Oauth2AppCodeToken => &[Create, Delete, Read],
            R::Oauth2AppSecret => CRUD,
            R::Organization => CRUD,
            R::OrganizationMember => CRUD,
            R::PrebuiltWorkspace => &[Delete, Update],
            R::ProvisionerDaemon => CRUD,
            R::ProvisionerJobs => &[Create, Read, Update],
            R::Replicas => &[Read],
            R::System => CRUD,
            R::TailnetCoordinator => CRUD,
            R::Task => CRUD,
            R::Template => &[Create, Delete, Read, Update, Use, ViewInsights],
            R::UsageEvent => &[Create, Read, Update],
            R::User => &[Create, Delete, Read, ReadPersonal, Update, UpdatePersonal],
            R::UserSecret => CRUD,
            R::WebpushSubscription => &[Create, Delete, Read],
            R::Workspace => WORKSPACE,
            R::WorkspaceAgentDevcontainers => &[Create],
            R::WorkspaceAgentResourceMonitor => &[Create, Read, Update],
            R::WorkspaceDormant => WORKSPACE,
            R::WorkspaceProxy => CRUD,
        })
    }

    /// The concrete types (every type but the wildcard).
    pub fn concrete() -> impl Iterator<Item = ResourceType> {
        ResourceType::VALUES
            .iter()
            .copied()
            .filter(|t| *t != ResourceType::Wildcard)
    }
}

/// One permission of a role: allow (or, negated, deny) `action` on `resource_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Permission {
    /// A negated permission denies, and a deny beats any allow at the same level.
    pub negate: bool,
    /// The resource type, or `*` for all.
    pub resource_type: ResourceType,
    /// The action, or `*` for all.
    pub action: Action,
}

impl Permission {
    /// A positive permission.
    pub const fn allow(resource_type: ResourceType, action: Action) -> Self {
        Permission {
            negate: false,
            resource_type,
            action,
        }
    }

    /// A negative permission.
    pub const fn deny(resource_type: ResourceType, action: Action) -> Self {
        Permission {
            negate: true,
            resource_type,
            action,
        }
    }

    /// Parses and checks a permission given as strings, as API requests carry them.
    pub fn parse(resource_type: &str, action: &str, negate: bool) -> Result<Self, PermissionError> {
        let rt: ResourceType = resource_type
            .parse()
            .map_err(|_| PermissionError::UnknownResourceType(resource_type.to_owned()))?;
        let act: Action = action
            .parse()
            .map_err(|_| PermissionError::UnknownAction(action.to_owned()))?;
        let p = Permission {
            negate,
            resource_type: rt,
            action: act,
        };
        p.validate()?;
        Ok(p)
    }

    /// Checks the action against the resource type's valid actions (Coder's `Role.Valid`):
    /// a wildcard type or action is always valid.
    pub fn validate(&self) -> Result<(), PermissionError> {
        if self.resource_type == ResourceType::Wildcard || self.action == Action::Wildcard {
            return Ok(());
        }
        if self.resource_type.valid_actions().contains(self.action) {
            Ok(())
        } else {
            Err(PermissionError::InvalidAction {
                resource_type: self.resource_type,
                action: self.action,
            })
        }
    }
}

/// Why a permission is not valid. Messages follow Coder's `invalid role` details.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PermissionError {
    /// The resource type is not in the catalogue.
    #[error("invalid resource type {0:?}")]
    UnknownResourceType(String),
    /// The action is not in the catalogue.
    #[error("invalid action {0:?}")]
    UnknownAction(String),
    /// The action exists but the resource type does not support it.
    #[error("invalid action {action:?} for resource {resource_type:?}", action = .action.as_str(), resource_type = .resource_type.as_str())]
    InvalidAction {
        /// The resource type.
        resource_type: ResourceType,
        /// The action it does not support.
        action: Action,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_the_seed_sizes() {
        assert_eq!(ResourceType::VALUES.len(), 44);
        assert_eq!(
            Action::VALUES
                .iter()
                .filter(|a| **a != Action::Wildcard)
                .count(),
            18
        );
    }

    #[test]
    fn names_round_trip() {
        for t in ResourceType::VALUES {
            assert_eq!(t.as_str().parse::<ResourceType>().unwrap(), *t);
        }
        for a in Action::VALUES {
            assert_eq!(a.as_str().parse::<Action>().unwrap(), *a);
        }
    }

    #[test]
    fn every_concrete_type_has_actions() {
        for t in ResourceType::concrete() {
            assert_ne!(t.valid_actions(), ActionSet::EMPTY, "{t}");
            assert!(!t.valid_actions().contains(Action::Wildcard), "{t}");
        }
    }

    #[test]
    fn validation_distinguishes_the_three_errors() {
        assert_eq!(
            Permission::parse("nope", "read", false),
            Err(PermissionError::UnknownResourceType("nope".into()))
        );
        assert_eq!(
            Permission::parse("user", "nope", false),
            Err(PermissionError::UnknownAction("nope".into()))
        );
        let err = Permission::parse("user", "ssh", false).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid action "ssh" for resource "user""#
        );
        assert!(Permission::parse("task", "delete", true).is_ok());
        assert!(Permission::parse("*", "ssh", false).is_ok());
        assert!(Permission::parse("workspace", "*", false).is_ok());
    }

    #[test]
    fn action_set_contains_and_iterates() {
        let s = ActionSet::of(&[Action::Read, Action::Update]);
        assert!(s.contains(Action::Read));
        assert!(!s.contains(Action::Create));
        assert!(!s.contains(Action::Wildcard));
        assert!(ActionSet::ALL.contains(Action::Wildcard));
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            vec![Action::Read, Action::Update]
        );
    }

    #[test]
    fn permission_serializes_like_coder() {
        let p = Permission::deny(ResourceType::Workspace, Action::Create);
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(
            json,
            r#"{"negate":true,"resource_type":"workspace","action":"create"}"#
        );
    }
}
