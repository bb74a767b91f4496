// The shell: hash routing, the top bar, the session. Pages live in their own modules.
import { h, replace, errorBox } from "./dom.js";
import { api, session, SESSION_EXPIRED } from "./api.js";
import { renderSignIn } from "./auth.js";
import { renderUsers } from "./users.js";
import { renderMembers } from "./members.js";
import { renderRoles } from "./roles.js";
import { renderAudit } from "./audit.js";

const main = document.getElementById("main");
const RETURN_KEY = "roster.return-to";

/** Parses "#/a/b?x=y" into segments and params. */
function parseHash() {
  const raw = location.hash.replace(/^#/, "");
  const [path, query] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, params: new URLSearchParams(query || "") };
}

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** Replaces the hash's query without routing again (list state). */
function setParams(params) {
  const [path] = location.hash.split("?");
  const s = params.toString();
  history.replaceState(null, "", path + (s ? "?" + s : ""));
}

function routeFor(parts) {
  if (parts[0] === "login" || parts[0] === "setup") return { name: "signin" };
  if (parts[0] === "users" && parts.length === 1) return { name: "users" };
  if (parts[0] === "organizations" && parts[1] && parts[2] === "members") return { name: "members", org: parts[1] };
  if (parts[0] === "organizations" && parts[1] && parts[2] === "roles") return { name: "roles", org: parts[1] };
  if (parts[0] === "organizations" && parts[1] && parts.length === 2) return { name: "members", org: parts[1] };
  if (parts[0] === "audit") return { name: "audit" };
  if (parts.length === 0) return { name: "home" };
  return { name: "unknown" };
}

let lastOrg = "default";

function renderShell(current) {
  const bar = document.getElementById("topbar");
  bar.hidden = false;
  const org = encodeURIComponent(lastOrg);
  const links = [
    ["users", "#/users", "Users"],
    ["members", `#/organizations/${org}/members`, "Members"],
    ["roles", `#/organizations/${org}/roles`, "Custom roles"],
    ["audit", "#/audit", "Audit log"],
  ];
  replace(document.getElementById("nav"), links.map(([name, href, text]) =>
    h("li", {}, h("a", { href, "aria-current": name === current ? "page" : null }, text))));
  const me = session.me;
  replace(document.getElementById("whoami"), me ? `Signed in as ${me.username}` : "");
}

let routing = 0;
async function route() {
  const mine = ++routing;
  const { parts, params } = parseHash();
  const r = routeFor(parts);
  if (r.name === "signin") {
    document.getElementById("topbar").hidden = true;
    document.title = "Sign in · Roster";
    return renderSignIn(main, { onSignedIn });
  }
  if (!session.me) {
    try {
      await session.load();
    } catch (err) {
      if (err.status === 401) return; // the session-expired handler takes over
      replace(main, errorBox(err, "Could not reach the Roster API."));
      return;
    }
  }
  if (mine !== routing) return;
  if (r.name === "home") return navigate("#/users");
  if (r.org) lastOrg = r.org;
  renderShell(r.name);
  const ctx = { params, setParams, navigate, org: r.org };
  replace(main, h("p", { class: "loading", role: "status" }, "Loading…"));
  try {
    if (r.name === "users") await renderUsers(main, ctx);
    else if (r.name === "members") await renderMembers(main, ctx);
    else if (r.name === "roles") await renderRoles(main, ctx);
    else if (r.name === "audit") await renderAudit(main, ctx);
    else replace(main, h("h1", { tabindex: "-1" }, "Page not found"), h("p", {}, h("a", { href: "#/users" }, "Go to users")));
  } catch (err) {
    if (err.status === 401) return;
    replace(main, errorBox(err, "Something went wrong."));
  }
  if (mine !== routing) return;
  const heading = main.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
  document.title = (heading ? heading.textContent + " · " : "") + "Roster";
}

function onSignedIn() {
  const back = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  session.reset();
  navigate(back && !back.startsWith("#/login") ? back : "#/users");
}

window.addEventListener(SESSION_EXPIRED, () => {
  if (location.hash.startsWith("#/login")) return;
  sessionStorage.setItem(RETURN_KEY, location.hash || "#/users");
  // A visit without a session just signs in; a session lost on the way is "expired".
  const hadSession = session.me !== null;
  session.reset();
  document.querySelectorAll("dialog").forEach((d) => d.remove());
  navigate(hadSession ? "#/login?expired=1" : "#/login");
});

document.getElementById("signout").addEventListener("click", async () => {
  try { await api("POST", "/users/logout", { signedOutOk: true }); } catch { /* signed out anyway */ }
  session.reset();
  navigate("#/login");
});

document.getElementById("skip-link").addEventListener("click", (e) => {
  e.preventDefault();
  main.focus();
});

window.addEventListener("hashchange", route);
route();
