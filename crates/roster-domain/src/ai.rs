//! The records behind `has_ai_seat`: AI Bridge interceptions and a minimal workspace registry.

use time::OffsetDateTime;

use crate::ids::{InterceptionId, OrganizationId, UserId, WorkspaceBuildId, WorkspaceId};

/// An AI Bridge interception (a request a user made through the AI gateway).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interception {
    /// Id.
    pub id: InterceptionId,
    /// The user who made the request.
    pub initiator_id: UserId,
    /// The AI provider.
    pub provider: String,
    /// The model.
    pub model: String,
    /// When it started.
    pub started_at: OffsetDateTime,
}

/// A workspace: a user-owned, organization-scoped object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// Id.
    pub id: WorkspaceId,
    /// The organization it lives in.
    pub organization_id: OrganizationId,
    /// Its owner.
    pub owner_id: UserId,
    /// Unique per owner, case-insensitively, among non-deleted workspaces.
    pub name: String,
    /// Set by a `delete` build.
    pub deleted: bool,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last changed.
    pub updated_at: OffsetDateTime,
}

/// What a build does to its workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Start.
    Start,
    /// Stop.
    Stop,
    /// Delete (marks the workspace deleted).
    Delete,
}

impl Transition {
    /// The wire spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Transition::Start => "start",
            Transition::Stop => "stop",
            Transition::Delete => "delete",
        }
    }

    /// Parses the wire spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "start" => Some(Transition::Start),
            "stop" => Some(Transition::Stop),
            "delete" => Some(Transition::Delete),
            _ => None,
        }
    }
}

/// A workspace build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceBuild {
    /// Id.
    pub id: WorkspaceBuildId,
    /// The workspace.
    pub workspace_id: WorkspaceId,
    /// 1 for the first build of a workspace, then increasing.
    pub build_number: i32,
    /// What the build does.
    pub transition: Transition,
    /// Whether the build runs an AI task (only `true` makes a seat).
    pub has_ai_task: bool,
    /// The user who started it.
    pub initiator_id: UserId,
    /// Created.
    pub created_at: OffsetDateTime,
}
