// What Keyward's own pages share (the sign-in page and the console): calling Keyward's API with the session cookie,
// reading its problem+json refusals, and the step-up ceremony. An ES module, served from Keyward's origin only.
// The session lives only in the HttpOnly __Host- cookie: nothing here sees, keeps or returns a token.

/** A refusal from Keyward: RFC 9457 problem+json with a stable code (and, for step_up_required, the step-up to do). */
export class ApiError extends Error {
  constructor(status, code, detail, problem) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.problem = problem ?? null;
  }
}

/** What to say when a refusal carries no problem body (a proxy or the network answered, not Keyward). */
export const fallbackDetail = status => ({
  401: 'You are not signed in.',
  403: 'You may not use this resource.',
  429: 'Too many attempts. Wait a minute and try again.',
  502: 'The service behind Keyward did not answer.',
  504: 'The service behind Keyward took too long to answer.',
})[status] ?? `Keyward answered HTTP ${status}.`;

/** Calls Keyward with this origin's cookie; resolves to the JSON answer, or throws an ApiError with the problem's code. */
export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } };
  // Keyward refuses a cookie-authenticated write that is not JSON (a cross-site form cannot send JSON): send {}.
  if (body === undefined && method !== 'GET' && method !== 'HEAD') {
    body = {};
  }

  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  const response = await fetch(path, init);
  const type = response.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    throw new ApiError(response.status, data?.code ?? `http_${response.status}`, data?.detail ?? fallbackDetail(response.status), data);
  }

  return data;
}

/** A readable sentence for any error a page meets: Keyward's refusals keep their code and status. */
export function describe(error) {
  if (error instanceof ApiError) {
    return `${error.message} (${error.code}, HTTP ${error.status})`;
  }

  switch (error?.name) {
    case 'NotAllowedError':
      return 'The security key request was cancelled, timed out, or not allowed. Try again.';
    case 'InvalidStateError':
      return 'This security key is already registered here.';
    case 'SecurityError':
      return 'The browser refused WebAuthn on this address (it needs HTTPS or localhost, and the configured origin).';
    case 'TypeError':
      return `Could not reach Keyward: ${error.message}`;
    default:
      return `${error?.name ?? 'Error'}: ${error?.message ?? error}`;
  }
}

export function requireWebAuthnJson() {
  if (!window.PublicKeyCredential?.parseCreationOptionsFromJSON || !window.PublicKeyCredential?.parseRequestOptionsFromJSON) {
    throw new Error('This browser lacks the WebAuthn JSON API; use a current Chrome, Edge, Firefox or Safari.');
  }
}

/**
 * Registers a key: begin (with the setup code, invite, recovery code or, signed in, nothing), the browser makes the
 * credential, finish (the secret is sent again: Keyward checks it at begin and consumes it only at finish). Resolves
 * to Keyward's answer (account, role, key, and recovery codes once for a new account).
 */
export async function registerKey(begin, secret, progress = () => {}) {
  requireWebAuthnJson();
  const started = await api('POST', '/api/register/begin', begin);
  progress('Touch your security key…');
  const credential = await navigator.credentials.create({
    publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(started.public_key),
  });
  progress('Checking the new key…');
  return await api('POST', '/api/register/finish', { ceremony_id: started.ceremony_id, credential: credential.toJSON(), ...secret });
}

/**
 * A step-up: a fresh assertion by one of this account's keys, made for one sensitive action (purpose and target),
 * before the action itself. The sign-in does not count; Keyward asks again for every such action.
 * progress(text) is told when the key is wanted.
 */
export async function stepUp(purpose, target, progress = () => {}) {
  requireWebAuthnJson();
  const started = await api('POST', '/session/step-up/begin', { purpose, target: target ?? null });
  progress('Confirm with one of your security keys…');
  const credential = await navigator.credentials.get({
    publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(started.public_key),
  });
  await api('POST', '/session/step-up/finish', { ceremony_id: started.ceremony_id, credential: credential.toJSON() });
}

/**
 * Runs an action; when Keyward answers 401 step_up_required, performs the step-up it names (purpose and target come
 * from the refusal, so the page never guesses them) and runs the action once more.
 */
export async function withStepUp(action, progress = () => {}) {
  try {
    return await action();
  } catch (error) {
    const wanted = error instanceof ApiError && error.code === 'step_up_required' ? error.problem?.step_up : null;
    if (!wanted) {
      throw error;
    }

    await stepUp(wanted.purpose, wanted.target, progress);
    return await action();
  }
}
