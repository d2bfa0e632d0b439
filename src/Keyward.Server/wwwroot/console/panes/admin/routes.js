// Routes, read-only: what each matches, where it goes, who may use it, and its WebSocket settings (no secret: Keyward
// leaves credentials out of the answer).
import { el, table } from '/console/dom.js';

const bytes = n => (n >= 1048576 ? `${n / 1048576} MiB` : n >= 1024 ? `${n / 1024} KiB` : `${n} B`);

function duration(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h && m ? `${h} h ${m} min` : h ? `${h} h` : m ? `${m} min` : `${seconds} s`;
}

function webSocket(ws) {
  if (!ws.enabled) {
    return 'off';
  }

  const origins = ws.allowed_origins.length ? ws.allowed_origins.join(', ') : 'own origin only';
  return `on · origins: ${origins}${ws.allow_session_cookie ? ' · app cookie accepted' : ''} · messages ≤ ${bytes(ws.max_client_message_bytes)} in, `
    + `≤ ${bytes(ws.max_upstream_message_bytes)} out, ${ws.max_messages_per_second}/s · open ≤ ${duration(ws.max_lifetime_seconds)}`;
}

export async function mountRoutes(box, context) {
  const routes = await context.api('GET', '/api/admin/routes');
  box.replaceChildren(
    el('p', { class: 'hint' }, 'From Keyward’s configuration (Keyward:Routes), read at start.'),
    routes.length === 0 ? el('p', { class: 'hint' }, 'No route is configured.') : table('Routes', [
      ['Route', r => el('code', {}, r.id)],
      ['Matches', r => (r.host ? `${r.host} ${r.path}` : r.path)],
      ['Upstream', r => r.upstream + (r.upstream_private_ca ? ' (private CA)' : '') + (r.upstream_client_certificate ? ' (mutual TLS)' : '')],
      ['Who', r => r.policy.roles_allowed.join(' or ') + (r.policy.require_user_verification ? ', PIN or biometric sign-in' : '')],
      ['WebSocket', r => webSocket(r.websocket) + (r.internal ? ' · internal credential accepted' : '')],
    ], routes));
  return () => {};
}
