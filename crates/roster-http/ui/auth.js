// Sign in, and the first-user setup form when the server has no user yet.
import { h, replace, field, showFormErrors, clearFormErrors, errorBox } from "./dom.js";
import { api } from "./api.js";

export async function renderSignIn(main, { onSignedIn }) {
  let firstExists = true;
  try {
    await api("GET", "/users/first", { signedOutOk: true });
  } catch (err) {
    if (err.status === 404) firstExists = false;
    else if (err.status !== 401) {
      replace(main, errorBox(err, "Could not reach the Roster API."));
      return;
    }
  }
  if (firstExists) signInForm(main, onSignedIn);
  else setupForm(main, onSignedIn);
}

function signInForm(main, onSignedIn) {
  const expired = location.hash.includes("expired=1");
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true, autofocus: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const submit = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h("form", { "aria-labelledby": "signin-title", novalidate: true },
    h("div", { class: "form-alert" }),
    field("Email", email), field("Password", password), submit);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    submit.disabled = true;
    try {
      await api("POST", "/users/login", { body: { email: email.value, password: password.value }, signedOutOk: true });
      onSignedIn();
    } catch (err) {
      showFormErrors(form, err);
      if (!(err.validations || []).length) password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  replace(main, h("section", { class: "card auth-card" },
    h("h1", { id: "signin-title" }, "Sign in to Roster"),
    expired ? h("p", { class: "notice", role: "status" }, "Your session has expired. Please sign in again.") : null,
    form));
  email.focus();
}

function setupForm(main, onSignedIn) {
  const email = h("input", { type: "email", name: "email", autocomplete: "email", required: true });
  const username = h("input", { type: "text", name: "username", autocomplete: "username", required: true });
  const name = h("input", { type: "text", name: "name", autocomplete: "name" });
  const password = h("input", { type: "password", name: "password", autocomplete: "new-password", required: true });
  const submit = h("button", { type: "submit", class: "primary" }, "Create account");
  const form = h("form", { "aria-labelledby": "setup-title", novalidate: true },
    h("div", { class: "form-alert" }),
    field("Username", username), field("Full name", name, "Optional."), field("Email", email), field("Password", password),
    submit);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    submit.disabled = true;
    try {
      await api("POST", "/users/first", {
        body: { email: email.value, username: username.value, name: name.value, password: password.value },
        signedOutOk: true,
      });
      await api("POST", "/users/login", { body: { email: email.value, password: password.value }, signedOutOk: true });
      onSignedIn();
    } catch (err) {
      showFormErrors(form, err);
    } finally {
      submit.disabled = false;
    }
  });
  replace(main, h("section", { class: "card auth-card" },
    h("h1", { id: "setup-title" }, "Create the first user"),
    h("p", { class: "subtitle" }, "This server has no users yet. The first user becomes its owner."),
    form));
  username.focus();
}
