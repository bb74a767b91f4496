// A server-side searched and paginated table: the search box and filters compose Coder's `q`
// grammar; `count` drives the pager. The state lives in the URL hash, so links keep it.
import { h, replace, errorBox, announce, helpHeader } from "./dom.js";
import { session } from "./api.js";

export const PAGE_SIZES = [10, 25, 50, 100];
export const AI_HELP = "Users with access to AI features like AI Bridge, Boundary, or Tasks who are actively consuming a seat.";

/** Composes `q` from the search text and the filters. */
export function composeQuery(text, status, role) {
  const parts = [];
  if (text && text.trim()) parts.push(text.trim());
  if (status) parts.push(`status:${status}`);
  if (role) parts.push(`role:${role}`);
  return parts.join(" ");
}

/** The "AI seats used / limit" badge, or null when the feature is off. */
export function seatsBadge() {
  const ai = session.aiFeature();
  if (!ai) return null;
  const used = ai.actual ?? 0;
  const over = ai.limit != null && used > ai.limit;
  return h("span", { class: "seats" + (over ? " over" : ""), id: "ai-seats", role: "status" },
    h("strong", {}, "AI seats"), `${used} of ${ai.limit ?? "∞"} used`);
}

/** The AI add-on header cell. */
export function aiHeader() {
  return h("th", { scope: "col", dataset: { col: "ai" } }, helpHeader("AI add-on", AI_HELP));
}

/**
 * Renders a list into `root`.
 * - `label`: what the rows are ("users", "members"), for captions and empty states;
 * - `columns`: [{ header: string | () => Node, cell: (row) => Node|string, key }];
 * - `fetch({q, limit, offset})` → { rows, count };
 * - `roles`: role filter options [{name, display_name}];
 * - `params`: URLSearchParams of the hash; `onParams(params)` persists them.
 */
export function listView({ root, label, columns, fetch, roles = [], params, onParams, rowKey }) {
  const state = {
    text: params.get("search") || "",
    status: params.get("status") || "",
    role: params.get("role") || "",
    size: PAGE_SIZES.includes(Number(params.get("size"))) ? Number(params.get("size")) : 25,
    page: Math.max(1, Number(params.get("page")) || 1),
  };
  const search = h("input", { type: "search", name: "q", id: `${label}-search`, placeholder: "Search by username, email or q filters", value: state.text, autocomplete: "off" });
  const status = h("select", { id: `${label}-status`, name: "status" },
    h("option", { value: "" }, "Any status"),
    ...["active", "suspended", "dormant"].map((s) => h("option", { value: s, selected: s === state.status }, s[0].toUpperCase() + s.slice(1))));
  const role = h("select", { id: `${label}-role`, name: "role" },
    h("option", { value: "" }, "Any role"),
    ...roles.map((r) => h("option", { value: r.name, selected: r.name === state.role }, r.display_name || r.name)));
  const errorArea = h("div", { class: "list-error" });
  const tableArea = h("div", { class: "table-wrap" });
  const pager = h("div", { class: "pager" });
  const form = h("form", { class: "toolbar", role: "search", "aria-label": `Search ${label}` },
    h("div", { class: "field search" }, h("label", { for: search.id }, "Search"), search),
    h("div", { class: "field" }, h("label", { for: status.id }, "Status"), status),
    h("div", { class: "field" }, h("label", { for: role.id }, "Role"), role),
    h("button", { type: "submit" }, "Search"));
  replace(root, form, errorArea, tableArea, pager);

  let seq = 0;
  let timer = null;
  const persist = () => {
    const p = new URLSearchParams();
    if (state.text) p.set("search", state.text);
    if (state.status) p.set("status", state.status);
    if (state.role) p.set("role", state.role);
    if (state.size !== 25) p.set("size", state.size);
    if (state.page > 1) p.set("page", state.page);
    onParams(p);
  };
  const refresh = () => { persist(); return load(); };
  form.addEventListener("submit", (e) => { e.preventDefault(); clearTimeout(timer); state.text = search.value; state.page = 1; refresh(); });
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.text = search.value; state.page = 1; refresh(); }, 350);
  });
  status.addEventListener("change", () => { state.status = status.value; state.page = 1; refresh(); });
  role.addEventListener("change", () => { state.role = role.value; state.page = 1; refresh(); });

  async function load() {
    const mine = ++seq;
    const q = composeQuery(state.text, state.status, state.role);
    tableArea.setAttribute("aria-busy", "true");
    let result;
    try {
      result = await fetch({ q, limit: state.size, offset: (state.page - 1) * state.size });
    } catch (err) {
      if (mine !== seq) return;
      tableArea.removeAttribute("aria-busy");
      search.removeAttribute("aria-invalid");
      if (err.status === 400) {
        search.setAttribute("aria-invalid", "true");
        const details = (err.validations || []).map((v) => h("p", { dataset: { fieldError: v.field } }, `${v.field}: ${v.detail}`));
        const box = errorBox(err);
        box.id = `${label}-search-error`;
        box.append(...details);
        search.setAttribute("aria-describedby", box.id);
        replace(errorArea, box);
      } else {
        replace(errorArea, errorBox(err, `Could not load ${label}.`));
      }
      replace(tableArea);
      replace(pager);
      return;
    }
    if (mine !== seq) return;
    search.removeAttribute("aria-invalid");
    search.removeAttribute("aria-describedby");
    replace(errorArea);
    tableArea.removeAttribute("aria-busy");
    const { rows, count } = result;
    const pages = Math.max(1, Math.ceil(count / state.size));
    if (state.page > pages && count > 0) { state.page = pages; return refresh(); }
    const head = h("tr", {}, columns.map((c) => (typeof c.header === "function" ? c.header() : h("th", { scope: "col" }, c.header))));
    const body = h("tbody", {});
    if (rows.length === 0) {
      const filtered = q !== "";
      body.appendChild(h("tr", {}, h("td", { class: "empty", colspan: columns.length },
        filtered ? `No ${label} match this search.` : `No ${label} yet.`)));
    }
    for (const row of rows) {
      body.appendChild(h("tr", { dataset: { row: rowKey(row) } }, columns.map((c) => {
        const v = c.cell(row);
        return c.rowHeader ? h("th", { scope: "row" }, v) : h("td", { class: c.class || null }, v);
      })));
    }
    replace(tableArea, h("table", { dataset: { list: label } },
      h("caption", { class: "visually-hidden" }, `${label[0].toUpperCase() + label.slice(1)}, page ${state.page} of ${pages}`),
      h("thead", {}, head), body));
    const first = count === 0 ? 0 : (state.page - 1) * state.size + 1;
    const last = Math.min(count, state.page * state.size);
    const size = h("select", { id: `${label}-size` }, PAGE_SIZES.map((n) => h("option", { value: n, selected: n === state.size }, String(n))));
    size.addEventListener("change", () => { state.size = Number(size.value); state.page = 1; refresh(); });
    const prev = h("button", { type: "button", disabled: state.page <= 1, "aria-label": "Previous page" }, "‹ Previous");
    const next = h("button", { type: "button", disabled: state.page >= pages, "aria-label": "Next page" }, "Next ›");
    prev.addEventListener("click", () => { state.page -= 1; refresh(); });
    next.addEventListener("click", () => { state.page += 1; refresh(); });
    const summary = h("span", { class: "count", dataset: { count: String(count) } }, count === 0 ? `0 ${label}` : `Showing ${first}–${last} of ${count} ${label}`);
    replace(pager, summary,
      h("div", { class: "buttons" },
        h("label", { for: size.id }, "Per page"), size,
        prev, h("span", { "aria-live": "polite" }, `Page ${state.page} of ${pages}`), next));
    announce(summary.textContent);
  }

  load();
  return { reload: load };
}
