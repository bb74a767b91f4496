// DOM helpers. Everything is built with createElement and textContent: no HTML strings.

/** Creates an element: h("button", {class: "primary", onclick: f}, "Save"). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") {
      el.addEventListener(k.slice(2), v);
    } else if (k === "class") {
      el.className = v;
    } else if (k === "dataset") {
      Object.assign(el.dataset, v);
    } else if (v === true) {
      el.setAttribute(k, "");
    } else {
      el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const SVG = "http://www.w3.org/2000/svg";
function svg(paths) {
  const s = document.createElementNS(SVG, "svg");
  s.setAttribute("viewBox", "0 0 24 24");
  s.setAttribute("fill", "none");
  s.setAttribute("stroke", "currentColor");
  s.setAttribute("stroke-width", "2");
  s.setAttribute("stroke-linecap", "round");
  s.setAttribute("stroke-linejoin", "round");
  s.setAttribute("aria-hidden", "true");
  s.setAttribute("focusable", "false");
  for (const d of paths) {
    const p = document.createElementNS(SVG, d.startsWith("c:") ? "circle" : "path");
    if (d.startsWith("c:")) {
      const [cx, cy, r] = d.slice(2).split(",");
      p.setAttribute("cx", cx); p.setAttribute("cy", cy); p.setAttribute("r", r);
    } else {
      p.setAttribute("d", d);
    }
    s.appendChild(p);
  }
  return s;
}

/** The AI add-on cell: a green check or a grey cross, labelled for screen readers. */
export function aiSeatCell(hasSeat) {
  const label = hasSeat ? "Consuming AI seat" : "Not consuming AI seat";
  const icon = hasSeat ? svg(["c:12,12,10", "m9 12 2 2 4-4"]) : svg(["M18 6 6 18", "m6 6 12 12"]);
  return h("span", { class: "ai-seat " + (hasSeat ? "on" : "off"), role: "img", "aria-label": label, title: label, dataset: { aiSeat: String(hasSeat) } }, icon);
}

let helpSeq = 0;
/** A column header with a help tooltip, reachable with the keyboard (Escape hides it). */
export function helpHeader(text, help) {
  const id = "help-" + ++helpSeq;
  const wrap = h("span", { class: "help" });
  const btn = h("button", { type: "button", "aria-label": "About " + text, "aria-describedby": id }, "?");
  const tip = h("span", { role: "tooltip", id }, help);
  btn.addEventListener("keydown", (e) => { if (e.key === "Escape") wrap.classList.add("dismissed"); });
  btn.addEventListener("blur", () => wrap.classList.remove("dismissed"));
  wrap.addEventListener("mouseleave", () => wrap.classList.remove("dismissed"));
  wrap.append(btn, tip);
  return h("span", {}, text, wrap);
}

/** An avatar image, or the initials when there is none (or it fails to load). */
export function avatar(url, name) {
  const initials = (name || "?").slice(0, 2);
  const fallback = () => h("span", { class: "avatar", "aria-hidden": "true" }, initials);
  if (!url) return fallback();
  const img = h("img", { class: "avatar", src: url, alt: "", width: 32, height: 32, loading: "lazy", referrerpolicy: "no-referrer" });
  img.addEventListener("error", () => img.replaceWith(fallback()));
  return img;
}

/** Avatar, username and a second line. */
export function userCell(u, sub) {
  return h("div", { class: "user-cell" }, avatar(u.avatar_url, u.username),
    h("div", { class: "who" }, h("span", { class: "username" }, u.username), sub ? h("span", { class: "sub" }, sub) : null));
}

const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatDate(iso, withTime = false) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1971) return "Never";
  return (withTime ? dateTimeFmt : dateFmt).format(d);
}

/** A relative "last seen" text, with the exact time in a <time> element. */
export function lastSeen(iso) {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1971) return h("span", { class: "muted" }, "Never");
  const secs = Math.round((Date.now() - d.getTime()) / 1000);
  let text;
  if (secs < 60) text = "Just now";
  else if (secs < 3600) text = `${Math.floor(secs / 60)} min ago`;
  else if (secs < 86400) text = `${Math.floor(secs / 3600)} h ago`;
  else if (secs < 86400 * 30) text = `${Math.floor(secs / 86400)} days ago`;
  else text = formatDate(iso);
  return h("time", { datetime: iso, title: formatDate(iso, true) }, text);
}

export function rolePills(roles, customNames = new Set()) {
  if (!roles || roles.length === 0) return h("span", { class: "muted" }, "—");
  return roles.map((r) => h("span", { class: "pill" + (customNames.has(r.name) ? " custom" : "") }, r.display_name || r.name));
}

/** Says something to screen readers. */
export function announce(text) {
  const live = document.getElementById("live");
  if (!live) return;
  live.textContent = "";
  setTimeout(() => { live.textContent = text; }, 30);
}

/** An error box for an API error (or any Error). */
export function errorBox(err, title) {
  const box = h("div", { class: "alert", role: "alert" }, h("strong", {}, title || err.message || "Something went wrong."));
  if (title && err.message && err.message !== title) box.appendChild(h("p", {}, err.message));
  if (err.detail) box.appendChild(h("p", {}, err.detail));
  return box;
}

/**
 * Shows an API error on a form: each validation next to the input whose `name` (or
 * `data-field`) it names, the rest in the form's alert area. Returns whether anything showed.
 */
export function showFormErrors(form, err) {
  clearFormErrors(form);
  const rest = [];
  for (const v of err.validations || []) {
    const target = form.querySelector(`[data-field="${CSS.escape(v.field)}"]`) || form.querySelector(`[name="${CSS.escape(v.field)}"]`);
    if (!target) { rest.push(v); continue; }
    const id = (target.id || "f-" + Math.random().toString(36).slice(2)) + "-error";
    if (!target.id) target.id = id.replace(/-error$/, "");
    let msg = form.querySelector(`#${CSS.escape(id)}`);
    if (!msg) {
      msg = h("p", { class: "field-error", id, dataset: { fieldError: v.field } });
      target.insertAdjacentElement("afterend", msg);
    }
    msg.textContent = msg.textContent ? msg.textContent + " " + v.detail : v.detail;
    target.setAttribute("aria-invalid", "true");
    const described = target.getAttribute("aria-describedby");
    if (target.dataset.describedBy === undefined) target.dataset.describedBy = described || "";
    target.setAttribute("aria-describedby", described ? described + " " + id : id);
  }
  const area = form.querySelector(".form-alert");
  if (area) {
    const box = errorBox(err);
    for (const v of rest) box.appendChild(h("p", {}, `${v.field}: ${v.detail}`));
    replace(area, box);
  }
  const firstInvalid = form.querySelector('[aria-invalid="true"]');
  if (firstInvalid && typeof firstInvalid.focus === "function") firstInvalid.focus();
}

export function clearFormErrors(form) {
  form.querySelectorAll(".field-error").forEach((e) => e.remove());
  form.querySelectorAll('[aria-invalid="true"]').forEach((e) => {
    e.removeAttribute("aria-invalid");
    if (e.dataset.describedBy) e.setAttribute("aria-describedby", e.dataset.describedBy);
    else e.removeAttribute("aria-describedby");
    delete e.dataset.describedBy;
  });
  const area = form.querySelector(".form-alert");
  if (area) area.replaceChildren();
}

/** A labelled input inside a .field. */
export function field(label, input, hint) {
  if (!input.id) input.id = "in-" + Math.random().toString(36).slice(2);
  const hintEl = hint ? h("span", { class: "hint", id: input.id + "-hint" }, hint) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: input.id }, label), input, hintEl);
}

/**
 * Opens a modal dialog built by `build(close)`; resolves with what `close(value)` is given
 * (undefined on Escape). Focus returns to where it was.
 */
export function openDialog(build, { wide = false, label } = {}) {
  return new Promise((resolve) => {
    const previous = document.activeElement;
    const dlg = h("dialog", { class: wide ? "wide" : "", "aria-label": label });
    let done = false;
    const close = (value) => {
      if (done) return;
      done = true;
      dlg.close();
      dlg.remove();
      if (previous && previous.isConnected && typeof previous.focus === "function") previous.focus();
      resolve(value);
    };
    dlg.addEventListener("cancel", (e) => { e.preventDefault(); close(undefined); });
    dlg.appendChild(build(close));
    document.body.appendChild(dlg);
    dlg.showModal();
    const first = dlg.querySelector("[autofocus]") || dlg.querySelector("input, select, button");
    if (first) first.focus();
  });
}

/** A confirmation dialog; resolves true when confirmed. */
export function confirmDialog({ title, body, confirm = "Confirm", danger = true }) {
  return openDialog((close) => h("div", { class: "dialog-body" },
    h("h2", {}, title),
    ...(Array.isArray(body) ? body : [body]).map((b) => (b instanceof Node ? b : h("p", {}, b))),
    h("div", { class: "dialog-actions" },
      h("button", { type: "button", onclick: () => close(false), autofocus: true }, "Cancel"),
      h("button", { type: "button", class: "primary" + (danger ? " danger" : ""), onclick: () => close(true) }, confirm))), { label: title })
    .then((v) => v === true);
}
