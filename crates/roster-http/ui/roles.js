// Custom roles of an organization: list, create and edit with the permission grid, delete.
import { h, replace, openDialog, confirmDialog, showFormErrors, clearFormErrors, announce, errorBox, field } from "./dom.js";
import { api, get, qs, seg, session } from "./api.js";
import { loadOrg, orgHeader } from "./members.js";
import { ACTIONS, RESOURCE_TYPES, VALID_ACTIONS, humanize } from "./permissions.js";

export async function renderRoles(main, ctx) {
  let data;
  try {
    data = await loadOrg(ctx.org);
  } catch (err) {
    if (err.status === 401) throw err;
    replace(main, h("h1", {}, "Custom roles"), errorBox(err, err.status === 404 ? `Organization "${ctx.org}" was not found, or you can't see it.` : "Could not load the organization."));
    return;
  }
  const { org } = data;
  const header = orgHeader(ctx, data, "roles");
  if (data.roles === null) {
    replace(main, ...header, h("p", { class: "notice", role: "status" }, "You don't have access to this organization's roles."));
    return;
  }
  let membership = null;
  try {
    membership = await get(`/organizations/${seg(org.name)}/members/me`);
  } catch { /* not a member: owners may still administer */ }
  const orgAdmin = !!membership && membership.roles.some((r) => r.name === "organization-admin");
  const enabled = session.customRolesEnabled();
  const manage = enabled && (session.isOwner() || orgAdmin);
  const actionError = h("div", {});
  const tableArea = h("div", {});
  const create = manage ? h("button", { type: "button", class: "primary", id: "create-role", onclick: () => edit(null) }, "Create custom role") : null;
  replace(main, ...header,
    enabled ? null : h("p", { class: "notice", role: "status" }, "Custom roles are a Premium feature on this server: existing roles keep working, new ones can't be created."),
    create ? h("div", { class: "toolbar" }, create) : null,
    actionError, tableArea);

  let roles = data.roles.filter((r) => !r.built_in);
  draw();

  async function reload() {
    const all = await get(`/organizations/${seg(org.name)}/members/roles`);
    roles = all.filter((r) => !r.built_in);
    draw();
  }

  function draw() {
    const rows = roles.map((r) => {
      const perms = r.organization_permissions || [];
      const byType = {};
      for (const p of perms) (byType[p.resource_type] ||= []).push(p.action);
      const summary = Object.entries(byType).map(([t, as]) => `${humanize(t)}: ${as.join(", ")}`).join("; ");
      return h("tr", { dataset: { row: r.name } },
        h("th", { scope: "row" }, h("div", {}, r.display_name || r.name), h("div", { class: "hint" }, r.name)),
        h("td", {}, perms.length === 0 ? h("span", { class: "muted" }, "No permissions") : h("span", { title: summary }, `${perms.length} permission${perms.length === 1 ? "" : "s"} on ${Object.keys(byType).length} resource type${Object.keys(byType).length === 1 ? "" : "s"}`),
          perms.length ? h("div", { class: "hint" }, summary.length > 140 ? summary.slice(0, 140) + "…" : summary) : null),
        manage ? h("td", { class: "actions" },
          h("button", { type: "button", class: "small", "aria-label": `Edit ${r.name}`, onclick: () => edit(r) }, "Edit"),
          h("button", { type: "button", class: "small danger", "aria-label": `Delete ${r.name}`, onclick: () => remove(r) }, "Delete")) : null);
    });
    replace(tableArea, h("div", { class: "table-wrap" }, h("table", { dataset: { list: "roles" } },
      h("caption", { class: "visually-hidden" }, "Custom roles"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Role"), h("th", { scope: "col" }, "Permissions"),
        manage ? h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")) : null)),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { class: "empty", colspan: manage ? 3 : 2 },
        manage ? "No custom roles yet. Create one to grant a precise set of permissions." : "No custom roles."))))));
  }

  async function remove(r) {
    replace(actionError);
    let holders = null;
    try {
      const page = await get(`/organizations/${seg(org.name)}/paginated-members` + qs({ q: `role:${r.name}`, limit: 1 }));
      holders = page.count;
    } catch { /* the count is a courtesy */ }
    const who = holders === null ? "Members holding this role will lose it."
      : holders === 0 ? "No member holds this role."
        : `${holders} member${holders === 1 ? " holds" : "s hold"} this role and will lose it.`;
    const ok = await confirmDialog({ title: `Delete the role ${r.display_name || r.name}?`, body: [h("p", { id: "delete-role-holders" }, who), "This can't be undone."], confirm: "Delete role" });
    if (!ok) return;
    try {
      await api("DELETE", `/organizations/${seg(org.name)}/members/roles/${seg(r.name)}`);
      announce(`Role ${r.name} deleted.`);
      await reload();
    } catch (err) {
      replace(actionError, errorBox(err, `Could not delete ${r.name}.`));
    }
  }

  async function edit(role) {
    const saved = await openDialog((close) => roleForm(org, role, close), { wide: true, label: role ? `Edit ${role.name}` : "Create custom role" });
    if (saved) {
      announce(`Role ${saved} saved.`);
      await reload();
    }
  }
}

function roleForm(org, role, close) {
  const have = new Set((role ? role.organization_permissions : []).filter((p) => !p.negate).map((p) => `${p.resource_type}:${p.action}`));
  const name = h("input", { type: "text", name: "name", id: "role-name", value: role ? role.name : "", required: true, readonly: !!role, autocomplete: "off", autofocus: !role });
  const display = h("input", { type: "text", name: "display_name", id: "role-display-name", value: role ? role.display_name : "", autocomplete: "off" });
  const filter = h("input", { type: "search", id: "perm-filter", placeholder: "Filter resource types", autocomplete: "off" });
  const counter = h("span", { class: "hint", role: "status" });
  const body = h("tbody", {});
  for (const rt of RESOURCE_TYPES) {
    const valid = new Set(VALID_ACTIONS[rt]);
    body.appendChild(h("tr", { dataset: { resource: rt } },
      h("th", { scope: "row", id: `rt-${rt}` }, humanize(rt)),
      ACTIONS.map((a) => (valid.has(a)
        ? h("td", {}, h("input", { type: "checkbox", name: "perm", value: `${rt}:${a}`, checked: have.has(`${rt}:${a}`), "aria-label": `${humanize(rt)}: ${a.replace(/_/g, " ")}` }))
        : h("td", { class: "na", "aria-hidden": "true" }, "·")))));
  }
  const count = () => {
    const n = body.querySelectorAll('input[name="perm"]:checked').length;
    counter.textContent = `${n} permission${n === 1 ? "" : "s"} selected`;
  };
  body.addEventListener("change", count);
  filter.addEventListener("input", () => {
    const t = filter.value.trim().toLowerCase().replace(/ /g, "_");
    body.querySelectorAll("tr").forEach((tr) => { tr.hidden = t !== "" && !tr.dataset.resource.includes(t); });
  });
  count();
  const grid = h("div", { class: "grid-wrap", "data-field": "organization_permissions", tabindex: "-1", role: "group", "aria-label": "Organization permissions" },
    h("table", { class: "grid" },
      h("caption", { class: "visually-hidden" }, "Permissions: resource types by action"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col", class: "rt" }, "Resource type"), ACTIONS.map((a) => h("th", { scope: "col" }, a.replace(/_/g, " "))))),
      body));
  const submit = h("button", { type: "submit", class: "primary" }, role ? "Save role" : "Create role");
  const form = h("form", { method: "dialog", novalidate: true },
    h("h2", {}, role ? `Edit ${role.display_name || role.name}` : "Create a custom role"),
    h("div", { class: "form-alert" }),
    field("Name", name, role ? "The name can't change." : "Lowercase letters, digits and hyphens, as in \"support-lead\"."),
    field("Display name", display),
    h("div", { class: "toolbar" }, h("div", { class: "field" }, h("label", { for: filter.id }, "Filter"), filter), counter),
    grid,
    h("div", { class: "dialog-actions" },
      h("button", { type: "button", onclick: () => close(null) }, "Cancel"), submit));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    const organization_permissions = [...body.querySelectorAll('input[name="perm"]:checked')].map((b) => {
      const [resource_type, action] = b.value.split(":");
      return { negate: false, resource_type, action };
    });
    const req = {
      name: name.value.trim(),
      display_name: display.value.trim(),
      site_permissions: [],
      organization_permissions,
      user_permissions: [],
      organization_member_permissions: [],
    };
    submit.disabled = true;
    try {
      await api(role ? "PUT" : "POST", `/organizations/${seg(org.name)}/members/roles`, { body: req });
      close(req.name);
    } catch (err) {
      if (!(err.validations || []).length && /role name/i.test(err.message)) {
        err.validations = [{ field: "name", detail: err.detail || err.message }];
      }
      showFormErrors(form, err);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
