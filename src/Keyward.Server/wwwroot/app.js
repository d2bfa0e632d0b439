// Keyward's sign-in page. Plain DOM and fetch, no framework, an ES module. The session lives only in Keyward's HttpOnly
// __Host- cookie: this script never sees or stores a token (fetch sends the cookie with credentials: 'same-origin').
// Everything shown comes from the server through textContent, never innerHTML. The API calls, problem+json errors
// and the step-up ceremony are shared with the console (/shared/keyward.js).
import { ApiError, api, describe, registerKey, requireWebAuthnJson, stepUp as sharedStepUp } from '/shared/keyward.js';

const $ = id => document.getElementById(id);

// ---- messages and busy state ----

function show(kind, text) {
  const message = $('message');
  message.dataset.kind = kind;
  message.textContent = text;
}

async function busy(progress, work) {
  const buttons = [...document.querySelectorAll('button')];
  buttons.forEach(b => { b.disabled = true; });
  $('main').setAttribute('aria-busy', 'true');
  show('progress', progress);
  try {
    await work();
  } catch (error) {
    console.error(error);
    show('error', describe(error));
  } finally {
    buttons.forEach(b => { b.disabled = false; });
    $('main').removeAttribute('aria-busy');
  }
}

// ---- where to go after sign-in ----

/**
 * The ?return= path when it is one of Keyward's own pages on this origin, else null: the sign-in page (/), the console
 * (/console/…) or an app host's handoff (/.keyward/handoff?…). Never "//host", "/\host" or an absolute URL, and never
 * an API or plane path (/api/audit/export, …): a link must not make a freshly signed-in browser fetch or download what
 * it did not ask for. The path is compared decoded and lower-cased, as the server routes it ("/%41PI/…" is "/api/…").
 */
function returnPath() {
  const raw = new URLSearchParams(location.search).get('return');
  // Backslashes and control characters are refused outright: URL parsers turn "/\host" and "/\t/host" into "//host".
  if (!raw || raw[0] !== '/' || raw[1] === '/' || /[\\\u0000-\u001f\u007f]/.test(raw)) {
    return null;
  }

  try {
    const url = new URL(raw, location.origin);
    const path = decodeURIComponent(url.pathname).toLowerCase();
    const page = path === '/' || path === '/console' || path.startsWith('/console/') || path === '/.keyward/handoff';
    return url.origin === location.origin && page ? url.pathname + url.search + url.hash : null;
  } catch {
    return null;
  }
}

/** True for Keyward's handoff to an app host (/.keyward/handoff?…), which a signed-in page follows at once. */
function isHandoff(path) {
  return path.startsWith('/.keyward/handoff?');
}

// ---- ceremonies ----

/** A step-up before a sensitive action (shared with the console), with its progress on this page's message line. */
const stepUp = (purpose, target) => sharedStepUp(purpose, target, text => show('progress', text));

async function register(begin, secret) {
  const done = await registerKey(begin, secret, text => show('progress', text));
  show('ok', `Key “${done.key.name}” registered for ${done.account} (${done.role}).`);
  if (done.recovery_codes) {
    showRecoveryCodes(done.recovery_codes);
  }

  return done;
}

/** Shows recovery codes once (they are not kept anywhere on the page); Keyward stores only their hashes. */
function showRecoveryCodes(codes) {
  $('recovery-code-list').replaceChildren(...codes.map(code => {
    const li = document.createElement('li');
    li.textContent = code;
    return li;
  }));
  $('recovery-codes').hidden = false;
}

async function signIn(username) {
  requireWebAuthnJson();
  const started = await api('POST', '/session/login/begin', { username: username || null });
  show('progress', 'Touch your security key…');
  const credential = await navigator.credentials.get({
    publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(started.public_key),
  });
  show('progress', 'Checking…');
  // The answer also carries session_token for scripts; the page ignores it and relies on the cookie.
  const done = await api('POST', '/session/login/finish', { ceremony_id: started.ceremony_id, credential: credential.toJSON() });
  const target = returnPath();
  if (target) {
    show('progress', `Signed in as ${done.account}. Going back to ${target}…`);
    location.replace(target);
    return;
  }

  show('ok', `Signed in as ${done.account}.`);
  await refresh();
}

// ---- the session panel ----

const when = iso => (iso ? new Date(iso).toLocaleString() : '—');

function listItem(text, current, onRemove, label) {
  const li = document.createElement('li');
  const span = document.createElement('span');
  span.textContent = text + (current ? ' (this one)' : '');
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.textContent = 'Remove';
  remove.setAttribute('aria-label', `Remove ${label}`);
  remove.addEventListener('click', () => busy('Removing…', onRemove));
  li.append(span, remove);
  return li;
}

function showSignedOut() {
  const target = returnPath();
  $('return-notice').textContent = target ? `Sign in to continue to ${target}.` : '';
  $('return-notice').hidden = !target;
  $('signed-in').hidden = true;
  $('signed-out').hidden = false;
  $('echo').hidden = true;
  $('session-list').replaceChildren();
  $('key-list').replaceChildren();
}

async function refresh() {
  let status;
  try {
    status = await api('POST', '/session/status');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      showSignedOut();
      return;
    }

    throw error;
  }

  $('status-account').textContent = status.account;
  $('status-role').textContent = status.role;
  $('status-uv').textContent = status.user_verified ? 'yes (PIN or biometric)' : 'no (presence only)';
  $('status-expires').textContent = when(status.expires_at);
  $('status-idle').textContent = when(status.idle_expires_at);
  const target = returnPath();

  // Already signed in and sent here by an app host's handoff: go straight on (it mints that app's one-time code).
  if (target && isHandoff(target)) {
    show('progress', `Signed in as ${status.account}. Going back to the app…`);
    location.replace(target);
    return;
  }

  $('continue').hidden = !target;
  if (target) {
    $('continue-link').href = target;
    $('continue-link').textContent = `Continue to ${target}`;
  }

  $('return-notice').hidden = true;
  $('signed-out').hidden = true;
  $('signed-in').hidden = false;

  // The socket list only decides whether the echo section shows: its failure hides the section, not the page.
  const [sessions, keys, sockets] = await Promise.all([
    api('GET', '/session/list'), api('GET', '/api/keys'), api('GET', '/api/auth/ws-routes').catch(() => ({ routes: [] }))]);

  // The echo socket is offered only where a route named echo takes sockets and admits this session.
  $('echo').hidden = !sockets.routes.includes('echo');
  $('session-list').replaceChildren(...sessions.map(s => listItem(
    `Started ${when(s.created_at)} from ${s.client_address ?? 'unknown address'}, expires ${when(s.expires_at)}${s.user_verified ? ', verified' : ''}`,
    s.current,
    async () => {
      await api('DELETE', `/session/${encodeURIComponent(s.id)}`);
      show('ok', s.current ? 'This session was ended.' : 'Session ended.');
      await refresh();
    },
    s.current ? 'this session' : `the session started ${when(s.created_at)}`)));
  $('key-list').replaceChildren(...keys.map(k => listItem(
    `${k.name}, added ${when(k.created_at)}, last used ${when(k.last_used_at)}`,
    k.current,
    async () => {
      await stepUp('key.remove', k.id);
      const done = await api('DELETE', `/api/keys/${encodeURIComponent(k.id)}`);
      show('ok', `Key “${k.name}” removed; ${done.sessions_ended} session(s) ended.`);
      await refresh();
    },
    `the key ${k.name}`)));
}

// ---- the echo socket ----

let echoSocket = null;

/**
 * Opens a WebSocket to the echo route the way every page must: a browser cannot put a credential on an upgrade,
 * so it asks Keyward for a single-use ticket (bound to this session, the route and this page's origin) and
 * presents it in the URL. Keyward checks and spends it before the upgrade, then relays to the service.
 */
async function openEcho() {
  const result = $('echo-result');
  const status = $('echo-status');
  result.textContent = '';
  status.textContent = '';
  echoSocket?.close(1000, 'replaced');
  try {
    const { ticket } = await api('POST', '/api/auth/ws-ticket', { route: 'echo' });
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}/resource/echo?ticket=${encodeURIComponent(ticket)}`);
    echoSocket = socket;
    const sent = `hello from the page, ${new Date().toISOString()}`;
    const echoed = await new Promise((resolve, reject) => {
      socket.addEventListener('open', () => socket.send(sent), { once: true });
      socket.addEventListener('message', event => resolve(String(event.data)), { once: true });
      socket.addEventListener('close', event => reject(new Error(`the socket closed: ${event.code} ${event.reason}`)), { once: true });
    });
    result.dataset.kind = echoed === sent ? 'ok' : 'error';
    result.textContent = echoed === sent ? `Echoed: ${echoed}` : `Unexpected answer: ${echoed}`;
    status.textContent = 'Socket open.';
    // Keyward closes it when the session ends (4401), e.g. on sign-out.
    socket.addEventListener('close', event => {
      status.textContent = `Socket closed: ${event.code} ${event.reason}`;
    });
  } catch (error) {
    result.dataset.kind = 'error';
    result.textContent = describe(error);
  }

  show('info', '');
}

// ---- wiring ----

function onSubmit(id, progress, work) {
  $(id).addEventListener('submit', event => {
    event.preventDefault();
    busy(progress, work);
  });
}

onSubmit('signin-form', 'Starting sign-in…', () => signIn($('signin-username').value.trim()));

onSubmit('setup-form', 'Starting registration…', async () => {
  const code = $('setup-code').value.trim();
  const done = await register({ setup_code: code, username: $('setup-username').value.trim(), key_name: $('setup-key-name').value.trim() || null }, { setup_code: code });
  $('setup-form').reset();
  $('signin-username').value = done.account;
});

onSubmit('invite-form', 'Starting registration…', async () => {
  const invite = $('invite-token').value.trim();
  const done = await register({ invite, key_name: $('invite-key-name').value.trim() || null }, { invite });
  $('invite-form').reset();
  $('signin-username').value = done.account;
});

onSubmit('recovery-form', 'Starting registration…', async () => {
  const code = $('recovery-code').value.trim();
  const done = await register({ username: $('recovery-username').value.trim(), recovery_code: code, key_name: $('recovery-key-name').value.trim() || null }, { recovery_code: code });
  $('recovery-form').reset();
  $('signin-username').value = done.account;
});

onSubmit('add-key-form', 'Confirming with your key…', async () => {
  await stepUp('key.add');
  await register({ key_name: $('add-key-name').value.trim() || null }, {});
  $('add-key-name').value = '';
  await refresh();
});

$('recovery-regenerate-button').addEventListener('click', () => busy('Confirming with your key…', async () => {
  await stepUp('recovery.regenerate');
  const done = await api('POST', '/api/account/recovery-codes', {});
  showRecoveryCodes(done.recovery_codes);
  show('ok', 'New recovery codes: the earlier ones no longer work.');
}));

$('recovery-dismiss-button').addEventListener('click', () => {
  $('recovery-code-list').replaceChildren();
  $('recovery-codes').hidden = true;
});

$('signout-button').addEventListener('click', () => busy('Signing out…', async () => {
  await api('POST', '/session/logout');
  showSignedOut();
  show('ok', 'Signed out.');
}));

$('echo-button').addEventListener('click', () => busy('Opening the echo socket…', openEcho));

// An invite link (/#invite=kwi_…, from the console's invite page or its QR code): the invite rides in the fragment, which
// no request carries; it goes into the invite field and out of the address bar and history at once.
function takeInviteFromLink() {
  const invite = new URLSearchParams(location.hash.slice(1)).get('invite');
  if (!invite) {
    return;
  }

  history.replaceState(null, '', location.pathname + location.search);
  $('invite-token').value = invite;
  $('invite-key-name').focus();
}

takeInviteFromLink();
busy('Loading…', async () => {
  await refresh();
  show('info', '');
});
