// Organization members: switcher, search, add, remove, organization roles.
import { h, replace, userCell, rolePills, aiSeatCell, formatDate, openDialog, confirmDialog, showFormErrors, clearFormErrors, announce, errorBox } from "./dom.js";
import { api, get, qs, seg, session } from "./api.js";
import { listView, aiHeader, seatsBadge } from "./list.js";

/**
 * Loads what both organization pages need: the organization, the organizations to switch
 * between, the roles with `assignable` (null when the viewer may not list them).
 */
export async function loadOrg(name) {
  const [orgs, org, roles] = await Promise.all([
    get("/organizations").catch(() => []),
    get(`/organizations/${seg(name)}`),
    get(`/organizations/${seg(name)}/members/roles`).catch((err) => {
      if (err.status === 404 || err.status === 403) return null;
      throw err;
    }),
  ]);
  return { orgs: orgs || [], org, roles };
}

/** The heading, organization switcher and the Members / Custom roles tabs. */
export function orgHeader(ctx, { org, orgs }, current, extra) {
  const select = h("select", { id: "org-switch", "aria-label": "Organization" },
    orgs.map((o) => h("option", { value: o.name, selected: o.id === org.id }, o.display_name || o.name)));
  select.addEventListener("change", () => ctx.navigate(`#/organizations/${encodeURIComponent(select.value)}/${current}`));
  const base = `#/organizations/${encodeURIComponent(org.name)}`;
  return [
    h("div", { class: "page-head" },
      h("div", {},
        h("h1", {}, current === "members" ? "Members" : "Custom roles"),
        h("p", { class: "subtitle" }, `Organization ${org.display_name || org.name}`)),
      extra || null,
      orgs.length > 1 ? h("div", { class: "org-switch" }, h("label", { for: "org-switch" }, "Organization"), select) : null),
    h("nav", { class: "tabs", "aria-label": "Organization" },
      h("a", { href: `${base}/members`, "aria-current": current === "members" ? "page" : null }, "Members"),
      h("a", { href: `${base}/roles`, "aria-current": current === "roles" ? "page" : null }, "Custom roles")),
  ];
}

export async function renderMembers(main, ctx) {
  let data;
  try {
    data = await loadOrg(ctx.org);
  } catch (err) {
    if (err.status === 401) throw err;
    replace(main, h("h1", {}, "Members"), errorBox(err, err.status === 404 ? `Organization "${ctx.org}" was not found, or you can't see it.` : "Could not load the organization."));
    return;
  }
  const { org, roles } = data;
  const ai = session.aiFeature();
  const me = session.me;
  const assignable = (roles || []).filter((r) => r.assignable);
  const manage = assignable.length > 0;
  const customNames = new Set((roles || []).filter((r) => !r.built_in).map((r) => r.name));
  const actionError = h("div", {});
  const listRoot = h("div", {});
  const addButton = manage ? h("button", { type: "button", class: "primary", id: "add-member", onclick: () => addMember() }, "Add member") : null;
  replace(main, ...orgHeader(ctx, data, "members", seatsBadge()),
    addButton ? h("div", { class: "toolbar" }, addButton) : null,
    actionError, listRoot);

  const columns = [
    { header: "User", rowHeader: true, cell: (m) => userCell(m, m.name || m.email) },
    { header: "Email", cell: (m) => m.email },
    { header: "Organization roles", cell: (m) => rolePills(m.roles, customNames) },
    { header: "Joined", cell: (m) => h("time", { datetime: m.created_at }, formatDate(m.created_at)) },
  ];
  if (ai) columns.push({ header: aiHeader, cell: (m) => aiSeatCell(m.has_ai_seat) });
  if (manage) {
    columns.push({
      header: () => h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")),
      class: "actions",
      cell: (m) => (m.user_id === me.id ? h("span", { class: "muted" }, "You") : [
        h("button", { type: "button", class: "small", "aria-label": `Edit roles of ${m.username}`, dataset: { action: "edit-roles" }, onclick: () => editRoles(m) }, "Roles"),
        h("button", { type: "button", class: "small danger", "aria-label": `Remove ${m.username}`, dataset: { action: "remove" }, onclick: () => remove(m) }, "Remove"),
      ]),
    });
  }

  const list = listView({
    root: listRoot,
    label: "members",
    columns,
    roles: roles || [],
    params: ctx.params,
    onParams: ctx.setParams,
    rowKey: (m) => m.username,
    fetch: async ({ q, limit, offset }) => {
      const r = await get(`/organizations/${seg(org.name)}/paginated-members` + qs({ q, limit, offset }));
      return { rows: r.members, count: r.count };
    },
  });

  async function remove(m) {
    replace(actionError);
    const ok = await confirmDialog({
      title: `Remove ${m.username}?`,
      body: `${m.username} will lose access to ${org.display_name || org.name} and its roles there.`,
      confirm: "Remove member",
    });
    if (!ok) return;
    try {
      await api("DELETE", `/organizations/${seg(org.name)}/members/${seg(m.user_id)}`);
      announce(`${m.username} removed.`);
      await list.reload();
    } catch (err) {
      replace(actionError, errorBox(err, `Could not remove ${m.username}.`));
    }
  }

  async function editRoles(m) {
    const held = new Set(m.roles.map((r) => r.name));
    const saved = await openDialog((close) => {
      const section = (title, rs) => (rs.length === 0 ? null : [
        h("h3", { class: "hint" }, title),
        h("ul", { class: "checklist" }, rs.map((r) => h("li", {}, h("label", {},
          h("input", { type: "checkbox", name: "roles", value: r.name, checked: held.has(r.name), disabled: !r.assignable }),
          r.display_name || r.name,
          r.assignable ? null : h("span", { class: "hint" }, " (you can't assign this role)"))))),
      ]);
      const visible = (roles || []).filter((r) => r.assignable || held.has(r.name));
      const form = h("form", { method: "dialog" },
        h("h2", {}, `Roles of ${m.username}`),
        h("p", { class: "hint" }, "Every member holds Organization Member. Choose the extra roles."),
        h("div", { class: "form-alert" }),
        h("fieldset", { "data-field": "roles", class: "plain" },
          h("legend", { class: "visually-hidden" }, "Organization roles"),
          section("Built-in roles", visible.filter((r) => r.built_in)),
          section("Custom roles", visible.filter((r) => !r.built_in))),
        h("div", { class: "dialog-actions" },
          h("button", { type: "button", onclick: () => close(false) }, "Cancel"),
          h("button", { type: "submit", class: "primary" }, "Save roles")));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        clearFormErrors(form);
        const chosen = [...form.querySelectorAll('input[name="roles"]')].filter((b) => b.checked).map((b) => b.value);
        try {
          await api("PUT", `/organizations/${seg(org.name)}/members/${seg(m.user_id)}/roles`, { body: { roles: chosen } });
          close(true);
        } catch (err) {
          showFormErrors(form, err);
        }
      });
      return form;
    }, { label: `Roles of ${m.username}` });
    if (saved) {
      announce(`Roles of ${m.username} saved.`);
      await list.reload();
    }
  }

  async function addMember() {
    const added = await openDialog((close) => {
      const input = h("input", { type: "search", id: "add-member-search", autocomplete: "off", placeholder: "Username or email", autofocus: true });
      const results = h("ul", { class: "results", "aria-label": "Matching users" });
      const status = h("p", { class: "hint", role: "status" }, "Type to search users.");
      const alertArea = h("div", { class: "form-alert" });
      let seq = 0;
      let timer = null;
      let any = false;
      const search = async () => {
        const mine = ++seq;
        const text = input.value.trim();
        if (!text) { replace(results); status.textContent = "Type to search users."; return; }
        try {
          const r = await get("/users" + qs({ q: text, limit: 10 }));
          if (mine !== seq) return;
          replace(alertArea);
          status.textContent = r.count === 0 ? "No users match." : `${r.count} user${r.count === 1 ? "" : "s"} match${r.count > 10 ? ", showing 10" : ""}.`;
          replace(results, r.users.map((u) => {
            const member = (u.organization_ids || []).includes(org.id);
            const btn = h("button", { type: "button", class: "small", disabled: member, "aria-label": member ? `${u.username} is already a member` : `Add ${u.username}` }, member ? "Member" : "Add");
            btn.addEventListener("click", async () => {
              btn.disabled = true;
              try {
                await api("POST", `/organizations/${seg(org.name)}/members/${seg(u.id)}`);
                any = true;
                btn.textContent = "Added";
                btn.setAttribute("aria-label", `${u.username} added`);
                announce(`${u.username} added to ${org.name}.`);
              } catch (err) {
                btn.disabled = false;
                replace(alertArea, errorBox(err, `Could not add ${u.username}.`));
              }
            });
            return h("li", {}, userCell(u, u.email), btn);
          }));
        } catch (err) {
          if (mine !== seq) return;
          replace(alertArea, errorBox(err, "Search failed."));
        }
      };
      input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 250); });
      input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); clearTimeout(timer); search(); } });
      return h("div", { class: "dialog-body" },
        h("h2", {}, `Add a member to ${org.display_name || org.name}`),
        h("div", { class: "field" }, h("label", { for: input.id }, "Search users"), input),
        alertArea, status, results,
        h("div", { class: "dialog-actions" }, h("button", { type: "button", onclick: () => close(any) }, "Done")));
    }, { label: "Add member" });
    if (added !== false) await list.reload();
  }
}
