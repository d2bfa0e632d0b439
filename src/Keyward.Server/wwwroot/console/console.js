// Keyward's console frame: who is signed in, sign-out, the navigation, and one pane at a time. Plain ES modules, no
// framework and no build step. Panes are found by Keyward (GET /console/panes.json lists every folder under
// /console/panes/ with a pane.json and a pane.js), so adding a pane is adding one folder:
//
//   pane.json  {"title": "Support", "order": 20, "roles": ["user", "admin"]}
//   pane.js    export async function mount(root, context) { …; return () => { /* unmount */ }; }
//   pane.css   (optional) the pane's own styles, linked when it first shows
//
// The session is the HttpOnly cookie: nothing here holds a token. Everything shown goes through textContent.
import { ApiError, api, describe, withStepUp } from '/shared/keyward.js';

const $ = id => document.getElementById(id);

/** The frame's message line: kind is progress, ok, info or error. */
function show(kind, text) {
  $('message').dataset.kind = kind;
  $('message').textContent = text;
}

/** Runs work with the page marked busy; a failure is shown with its problem code, never thrown further. */
async function busy(progress, work) {
  $('main').setAttribute('aria-busy', 'true');
  if (progress) {
    show('progress', progress);
  }

  try {
    const result = await work();
    if (progress && $('message').dataset.kind === 'progress' && $('message').textContent === progress) {
      show('info', '');
    }

    return result;
  } catch (error) {
    console.error(error);
    if (error instanceof ApiError && error.status === 401 && error.code !== 'step_up_required') {
      if (!session) {
        // Already signed out (the Sign out button, or an earlier refusal): a pane's late answer says nothing new, and
        // must not replace "Signed out." with a refusal.
        return undefined;
      }

      // The session ended (expired, revoked, signed out elsewhere): say so, and offer the sign-in.
      showSignedOut();
    }

    show('error', describe(error));
    return undefined;
  } finally {
    $('main').removeAttribute('aria-busy');
  }
}

let session = null;
let panes = [];
let current = null;

function showSignedOut() {
  session = null;
  unmountCurrent();
  $('identity').hidden = true;
  $('nav-list').replaceChildren();
  $('signed-out').hidden = false;
  $('signin-link').href = `/?return=${encodeURIComponent('/console/' + location.hash)}`;
}

function unmountCurrent() {
  try {
    current?.unmount?.();
  } catch (error) {
    console.error(error);
  }

  current = null;
  $('pane').replaceChildren();
}

function buildNav(selected) {
  $('nav-list').replaceChildren(...panes.map(pane => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `#${pane.id}`;
    a.textContent = pane.title;
    if (pane.id === selected) {
      a.setAttribute('aria-current', 'page');
    }

    li.append(a);
    return li;
  }));
}

function linkStylesheet(href) {
  if (!href || document.querySelector(`link[rel="stylesheet"][href="${CSS.escape(href)}"]`)) {
    return Promise.resolve();
  }

  return new Promise(resolve => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.addEventListener('load', resolve, { once: true });
    link.addEventListener('error', resolve, { once: true });
    document.head.append(link);
  });
}

async function route() {
  if (!session) {
    return;
  }

  const wanted = location.hash.slice(1);
  // A hash that names no pane (the skip link's #pane) leaves the open pane alone.
  const pane = panes.find(p => p.id === wanted) ?? (current ? null : panes[0]);
  if (!pane) {
    if (!current) {
      show('error', 'No console pane is available to your role.');
    }

    return;
  }

  buildNav(pane.id);
  unmountCurrent();
  show('info', '');
  await busy(`Opening ${pane.title}…`, async () => {
    await linkStylesheet(pane.stylesheet);
    const module = await import(pane.module);
    const root = document.createElement('section');
    root.className = `pane pane-${pane.id}`;
    $('pane').replaceChildren(root);
    const context = {
      account: session.account,
      role: session.role,
      api,
      describe,
      show,
      busy,
      withStepUp: action => withStepUp(action, text => show('progress', text)),
    };
    const unmount = await module.mount(root, context);
    current = { id: pane.id, unmount };
    document.title = `${pane.title} · Keyward console`;
  });
}

async function start() {
  try {
    session = await api('POST', '/session/status');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      showSignedOut();
      return;
    }

    throw error;
  }

  $('identity-account').textContent = session.account;
  $('identity-role').textContent = session.role;
  $('identity').hidden = false;
  $('signed-out').hidden = true;
  const listed = await api('GET', '/console/panes.json');
  panes = listed.panes.filter(p => p.roles.includes(session.role));
  await route();
}

$('signout-button').addEventListener('click', () => busy('Signing out…', async () => {
  await api('POST', '/session/logout');
  showSignedOut();
  show('ok', 'Signed out.');
}));

// Signed-out detection: a session ended elsewhere (an admin disabled the account or ended its sessions, a sign-out in
// another tab) shows here without waiting for the next click. The page asks /session/status when it becomes visible or
// focused, and every CHECK_EVERY_MS while visible, but only while someone used it within ACTIVE_FOR_MS: each check
// counts as use of the session (it slides the idle expiry), so an unattended open page must not keep a session alive
// forever. A network failure says nothing about the session and is ignored; a 401 is a signed-out page.
const CHECK_EVERY_MS = 20_000;
const ACTIVE_FOR_MS = 10 * 60_000;
let lastInput = Date.now();
let checking = false;

async function checkSession() {
  if (!session || checking || document.visibilityState !== 'visible') {
    return;
  }

  checking = true;
  try {
    await api('POST', '/session/status');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && session) {
      showSignedOut();
      show('error', describe(error));
    }
  } finally {
    checking = false;
  }
}

for (const input of ['pointerdown', 'keydown']) {
  window.addEventListener(input, () => { lastInput = Date.now(); }, { capture: true, passive: true });
}

window.addEventListener('focus', checkSession);
document.addEventListener('visibilitychange', checkSession);
setInterval(() => {
  if (Date.now() - lastInput < ACTIVE_FOR_MS) {
    checkSession();
  }
}, CHECK_EVERY_MS);

window.addEventListener('hashchange', () => {
  route().then(() => $('pane').focus());
});

busy('Loading…', start);
