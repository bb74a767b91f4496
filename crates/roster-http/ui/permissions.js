// The valid actions of each resource type, as in crates/roster-domain/src/permission.rs
// (`ResourceType::valid_actions`). The browser tests check a role built from this grid.
const CRUD = ["create", "read", "update", "delete"];
const WORKSPACE = ["application_connect", "create", "create_agent", "delete", "delete_agent", "read", "share", "ssh", "start", "stop", "update", "update_agent"];

export const VALID_ACTIONS = {
  aibridge_interception: ["create", "read", "update"],
  api_key: CRUD,
  assign_org_role: ["assign", "create", "delete", "read", "unassign", "update"],
  assign_role: ["assign", "read", "unassign"],
  audit_log: ["create", "read"],
  boundary_usage: ["delete", "read", "update"],
  chat: ["create", "delete", "read", "share", "update"],
  connection_log: ["read", "update"],
  crypto_key: CRUD,
  debug_info: ["read"],
  deployment_config: ["read", "update"],
  deployment_stats: ["read"],
  file: ["create", "read"],
  group: CRUD,
  group_member: ["read"],
  idpsync_settings: ["read", "update"],
  inbox_notification: ["create", "read", "update"],
  license: ["create", "delete", "read"],
  notification_message: CRUD,
  notification_preference: ["read", "update"],
  notification_template: ["read", "update"],
  oauth2_app: CRUD,
  oauth2_app_code_token: ["create", "delete", "read"],
  oauth2_app_secret: CRUD,
  organization: CRUD,
  organization_member: CRUD,
  prebuilt_workspace: ["delete", "update"],
  provisioner_daemon: CRUD,
  provisioner_jobs: ["create", "read", "update"],
  replicas: ["read"],
  system: CRUD,
  tailnet_coordinator: CRUD,
  task: CRUD,
  template: ["create", "delete", "read", "update", "use", "view_insights"],
  usage_event: ["create", "read", "update"],
  user: ["create", "delete", "read", "read_personal", "update", "update_personal"],
  user_secret: CRUD,
  webpush_subscription: ["create", "delete", "read"],
  workspace: WORKSPACE,
  workspace_agent_devcontainers: ["create"],
  workspace_agent_resource_monitor: ["create", "read", "update"],
  workspace_dormant: WORKSPACE,
  workspace_proxy: CRUD,
};

/** Every action some resource type supports, in a stable order (the grid's columns). */
export const ACTIONS = ["create", "read", "update", "delete", "use", "assign", "unassign", "share",
  "read_personal", "update_personal", "view_insights", "application_connect", "ssh", "start", "stop",
  "create_agent", "delete_agent", "update_agent"];

export const RESOURCE_TYPES = Object.keys(VALID_ACTIONS);

/** "organization_member" → "Organization member". */
export function humanize(s) {
  const t = s.replace(/_/g, " ");
  return t[0].toUpperCase() + t.slice(1);
}
