// The JSON API client: same-origin fetch with the session cookie.

/** An error answer of the API (Coder's `{message, detail?, validations?}`). */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `Request failed (${status}).`);
    this.status = status;
    this.detail = (body && body.detail) || "";
    this.validations = (body && body.validations) || [];
  }
}

/** Fired when the session is gone: the app goes back to sign-in. */
export const SESSION_EXPIRED = "roster:session-expired";

/**
 * Calls the API. `opts.body` is sent as JSON; `opts.signedOutOk` suppresses the session-expired
 * event (for sign-in itself). Resolves with the decoded body (null when empty).
 */
export async function api(method, path, opts = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (opts.body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(opts.body);
  }
  let res;
  try {
    res = await fetch("/api/v2" + path, init);
  } catch (e) {
    throw new ApiError(0, { message: "The server could not be reached.", detail: String(e.message || e) });
  }
  const text = await res.text();
  let body = null;
  if (text) {
    try { body = JSON.parse(text); } catch { body = { message: text }; }
  }
  if (!res.ok) {
    if (res.status === 401 && !opts.signedOutOk) {
      window.dispatchEvent(new CustomEvent(SESSION_EXPIRED));
    }
    throw new ApiError(res.status, body);
  }
  return body;
}

export const get = (path, opts) => api("GET", path, opts);

/** Encodes one path segment. */
export const seg = (s) => encodeURIComponent(s);

/** A query string from an object, skipping empty values. */
export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
  }
  const s = p.toString();
  return s ? "?" + s : "";
}

/** What the app knows about the signed-in viewer, loaded once per sign-in. */
export const session = {
  me: null,
  entitlements: null,
  siteRoles: null,
  reset() { this.me = null; this.entitlements = null; this.siteRoles = null; },
  async load() {
    this.me = await get("/users/me");
    const [ent, roles] = await Promise.all([
      get("/entitlements").catch(() => null),
      get("/users/roles").catch(() => []),
    ]);
    this.entitlements = ent;
    this.siteRoles = roles || [];
  },
  /** The AI governance feature when it is enabled, else null. */
  aiFeature() {
    const f = this.entitlements && this.entitlements.features && this.entitlements.features.ai_governance_user_limit;
    return f && f.enabled ? f : null;
  },
  customRolesEnabled() {
    const f = this.entitlements && this.entitlements.features && this.entitlements.features.custom_roles;
    return !f || f.enabled;
  },
  isOwner() {
    return !!this.me && this.me.roles.some((r) => r.name === "owner");
  },
  /** Whether the viewer administers users site-wide (may assign some site role). */
  canManageUsers() {
    return (this.siteRoles || []).some((r) => r.assignable);
  },
};
