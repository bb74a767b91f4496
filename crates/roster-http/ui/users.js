// Users: the site-wide table, search, suspend/activate, site roles.
import { h, replace, userCell, lastSeen, rolePills, aiSeatCell, openDialog, confirmDialog, showFormErrors, clearFormErrors, announce, errorBox } from "./dom.js";
import { api, get, qs, seg, session } from "./api.js";
import { listView, aiHeader, seatsBadge } from "./list.js";

const LOGIN_TYPES = { password: "Password", github: "GitHub", oidc: "OpenID Connect", token: "Token", none: "None" };

export async function renderUsers(main, ctx) {
  const ai = session.aiFeature();
  const manage = session.canManageUsers();
  const me = session.me;
  const listRoot = h("div", {});
  const actionError = h("div", {});
  replace(main,
    h("div", { class: "page-head" },
      h("div", {}, h("h1", {}, "Users"), h("p", { class: "subtitle" }, "Everyone with an account on this server.")),
      seatsBadge()),
    actionError, listRoot);

  const columns = [
    { header: "User", rowHeader: true, cell: (u) => userCell(u) },
    { header: "Name", cell: (u) => u.name || h("span", { class: "muted" }, "—") },
    { header: "Email", cell: (u) => u.email },
    { header: "Site roles", cell: (u) => rolePills(u.roles) },
    { header: "Status", cell: (u) => h("span", { class: "status " + u.status }, u.status) },
    { header: "Login type", cell: (u) => LOGIN_TYPES[u.login_type] || u.login_type },
    { header: "Last seen", cell: (u) => lastSeen(u.last_seen_at) },
  ];
  if (ai) columns.push({ header: aiHeader, cell: (u) => aiSeatCell(u.has_ai_seat) });
  if (manage) {
    columns.push({
      header: () => h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")),
      class: "actions",
      cell: (u) => (u.id === me.id ? h("span", { class: "muted" }, "You") : [
        h("button", { type: "button", class: "small", "aria-label": `Edit site roles of ${u.username}`, onclick: () => editSiteRoles(u) }, "Roles"),
        u.status === "suspended"
          ? h("button", { type: "button", class: "small", "aria-label": `Activate ${u.username}`, onclick: () => setStatus(u, "activate") }, "Activate")
          : h("button", { type: "button", class: "small danger", "aria-label": `Suspend ${u.username}`, onclick: () => setStatus(u, "suspend") }, "Suspend"),
      ]),
    });
  }

  const list = listView({
    root: listRoot,
    label: "users",
    columns,
    roles: session.siteRoles,
    params: ctx.params,
    onParams: ctx.setParams,
    rowKey: (u) => u.username,
    fetch: async ({ q, limit, offset }) => {
      const r = await get("/users" + qs({ q, limit, offset }));
      return { rows: r.users, count: r.count };
    },
  });

  async function setStatus(u, action) {
    replace(actionError);
    if (action === "suspend") {
      const ok = await confirmDialog({
        title: `Suspend ${u.username}?`,
        body: "They will be signed out and can't sign in until an administrator activates them again.",
        confirm: "Suspend",
      });
      if (!ok) return;
    }
    try {
      await api("PUT", `/users/${seg(u.id)}/status/${action}`);
      announce(`${u.username} ${action === "suspend" ? "suspended" : "activated"}.`);
      await list.reload();
    } catch (err) {
      replace(actionError, errorBox(err, `Could not ${action} ${u.username}.`));
    }
  }

  async function editSiteRoles(u) {
    const held = new Set(u.roles.map((r) => r.name));
    const saved = await openDialog((close) => {
      const items = session.siteRoles.filter((r) => r.assignable || held.has(r.name)).map((r) => {
        const box = h("input", { type: "checkbox", name: "roles", value: r.name, checked: held.has(r.name), disabled: !r.assignable });
        return h("li", {}, h("label", {}, box, r.display_name || r.name,
          r.assignable ? null : h("span", { class: "hint" }, " (you can't assign this role)")));
      });
      const form = h("form", { method: "dialog" },
        h("h2", { id: "site-roles-title" }, `Site roles of ${u.username}`),
        h("p", { class: "hint" }, "Every user is a Member. Choose the extra roles."),
        h("div", { class: "form-alert" }),
        h("fieldset", { "data-field": "roles", class: "plain" }, h("legend", { class: "visually-hidden" }, "Site roles"), h("ul", { class: "checklist" }, items)),
        h("div", { class: "dialog-actions" },
          h("button", { type: "button", onclick: () => close(false) }, "Cancel"),
          h("button", { type: "submit", class: "primary" }, "Save roles")));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        clearFormErrors(form);
        const roles = [...form.querySelectorAll('input[name="roles"]')].filter((b) => b.checked).map((b) => b.value);
        try {
          await api("PUT", `/users/${seg(u.id)}/roles`, { body: { roles } });
          close(true);
        } catch (err) {
          showFormErrors(form, err);
        }
      });
      return form;
    }, { label: `Site roles of ${u.username}` });
    if (saved) {
      announce(`Site roles of ${u.username} saved.`);
      await list.reload();
    }
  }
}
