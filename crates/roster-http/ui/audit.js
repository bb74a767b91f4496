// The audit log: entries with their filters, paginated by the server. When the server has no
// audit API yet (404 "Route not found."), the page says so.
import { h, replace, errorBox, formatDate, announce, avatar } from "./dom.js";
import { get, qs } from "./api.js";
import { PAGE_SIZES } from "./list.js";

const ACTIONS = ["create", "write", "delete", "start", "stop", "login", "logout", "register"];
const RESOURCES = ["organization", "organization_member", "custom_role", "user", "api_key", "workspace"];

export async function renderAudit(main, ctx) {
  const p = ctx.params;
  const state = {
    search: p.get("search") || "", action: p.get("action") || "", resource: p.get("resource_type") || "",
    from: p.get("date_from") || "", to: p.get("date_to") || "",
    size: PAGE_SIZES.includes(Number(p.get("size"))) ? Number(p.get("size")) : 25,
    page: Math.max(1, Number(p.get("page")) || 1),
  };
  const search = h("input", { type: "search", id: "audit-search", name: "q", value: state.search, placeholder: "username:alice or free text", autocomplete: "off" });
  const action = h("select", { id: "audit-action", name: "action" }, h("option", { value: "" }, "Any action"),
    ACTIONS.map((a) => h("option", { value: a, selected: a === state.action }, a)));
  const resource = h("select", { id: "audit-resource", name: "resource_type" }, h("option", { value: "" }, "Any resource"),
    RESOURCES.map((r) => h("option", { value: r, selected: r === state.resource }, r.replace(/_/g, " "))));
  const from = h("input", { type: "date", id: "audit-from", name: "date_from", value: state.from });
  const to = h("input", { type: "date", id: "audit-to", name: "date_to", value: state.to });
  const f = (label, el) => h("div", { class: "field" + (el === search ? " search" : "") }, h("label", { for: el.id }, label), el);
  const form = h("form", { class: "toolbar", role: "search", "aria-label": "Filter the audit log" },
    f("Search", search), f("Action", action), f("Resource type", resource), f("From", from), f("To", to),
    h("button", { type: "submit" }, "Apply"));
  const errorArea = h("div", {});
  const tableArea = h("div", { class: "table-wrap" });
  const pager = h("div", { class: "pager" });
  replace(main, h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Audit log"),
    h("p", { class: "subtitle" }, "Who changed memberships, roles, users and organizations, and when."))),
  form, errorArea, tableArea, pager);

  const compose = () => [state.search.trim(), state.action && `action:${state.action}`, state.resource && `resource_type:${state.resource}`,
    state.from && `date_from:${state.from}`, state.to && `date_to:${state.to}`].filter(Boolean).join(" ");
  const persist = () => {
    const out = new URLSearchParams();
    if (state.search) out.set("search", state.search);
    if (state.action) out.set("action", state.action);
    if (state.resource) out.set("resource_type", state.resource);
    if (state.from) out.set("date_from", state.from);
    if (state.to) out.set("date_to", state.to);
    if (state.size !== 25) out.set("size", state.size);
    if (state.page > 1) out.set("page", state.page);
    ctx.setParams(out);
  };
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    Object.assign(state, { search: search.value, action: action.value, resource: resource.value, from: from.value, to: to.value, page: 1 });
    persist(); load();
  });
  [action, resource, from, to].forEach((el) => el.addEventListener("change", () => form.requestSubmit()));

  let seq = 0;
  async function load() {
    const mine = ++seq;
    tableArea.setAttribute("aria-busy", "true");
    let r;
    try {
      r = await get("/audit" + qs({ q: compose(), limit: state.size, offset: (state.page - 1) * state.size }));
    } catch (err) {
      if (mine !== seq) return;
      tableArea.removeAttribute("aria-busy");
      replace(tableArea); replace(pager);
      if (err.status === 404 && err.message === "Route not found.") {
        form.hidden = true;
        replace(errorArea, h("div", { class: "notice", role: "status", id: "audit-unavailable" },
          h("strong", {}, "The audit log is not available on this server."),
          h("p", {}, "This Roster version does not serve GET /api/v2/audit yet.")));
      } else if (err.status === 403 || err.status === 404) {
        form.hidden = true;
        replace(errorArea, h("p", { class: "notice", role: "status" }, "You don't have permission to read the audit log."));
      } else {
        replace(errorArea, errorBox(err, err.status === 400 ? "That filter is not valid." : "Could not load the audit log."));
      }
      return;
    }
    if (mine !== seq) return;
    tableArea.removeAttribute("aria-busy");
    replace(errorArea);
    const logs = r.audit_logs || [];
    const count = r.count ?? logs.length;
    const pages = Math.max(1, Math.ceil(count / state.size));
    const rows = logs.map((e) => {
      const user = e.user || null;
      const diff = e.diff && Object.keys(e.diff).length
        ? h("pre", { class: "diff" }, Object.entries(e.diff).map(([k, v]) => `${k}: ${JSON.stringify(v.old)} → ${JSON.stringify(v.new)}`).join("\n"))
        : h("span", { class: "muted" }, "—");
      return h("tr", {},
        h("td", {}, h("time", { datetime: e.time }, formatDate(e.time, true))),
        h("td", {}, user ? h("div", { class: "user-cell" }, avatar(user.avatar_url, user.username), user.username) : h("span", { class: "muted" }, "—")),
        h("td", {}, e.description || `${e.action} ${e.resource_type}`),
        h("td", {}, e.action),
        h("td", {}, (e.resource_type || "").replace(/_/g, " "), e.resource_target ? h("div", { class: "hint" }, e.resource_target) : null),
        h("td", {}, e.organization ? e.organization.display_name || e.organization.name : "—"),
        h("td", {}, String(e.status_code ?? "")),
        h("td", {}, diff));
    });
    replace(tableArea, h("table", {},
      h("caption", { class: "visually-hidden" }, "Audit log entries"),
      h("thead", {}, h("tr", {}, ["Time", "User", "Description", "Action", "Resource", "Organization", "Status", "Changes"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { class: "empty", colspan: 8 }, compose() ? "No entries match these filters." : "No audit entries yet.")))));
    const size = h("select", { id: "audit-size" }, PAGE_SIZES.map((n) => h("option", { value: n, selected: n === state.size }, String(n))));
    size.addEventListener("change", () => { state.size = Number(size.value); state.page = 1; persist(); load(); });
    const prev = h("button", { type: "button", disabled: state.page <= 1 }, "‹ Previous");
    const next = h("button", { type: "button", disabled: state.page >= pages }, "Next ›");
    prev.addEventListener("click", () => { state.page -= 1; persist(); load(); });
    next.addEventListener("click", () => { state.page += 1; persist(); load(); });
    replace(pager, h("span", {}, `${count} entr${count === 1 ? "y" : "ies"}`),
      h("div", { class: "buttons" }, h("label", { for: size.id }, "Per page"), size, prev, h("span", {}, `Page ${state.page} of ${pages}`), next));
    announce(`${count} audit entries.`);
  }
  load();
}
