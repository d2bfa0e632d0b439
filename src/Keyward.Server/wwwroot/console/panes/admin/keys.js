// Signing keys, read-only: the keys that sign identity assertions for the services behind Keyward, with their state and
// the next rotation. Public facts only; the public keys themselves are in the JWKS.
import { el, table, when } from '/console/dom.js';

export async function mountSigningKeys(box, context) {
  const answer = await context.api('GET', '/api/admin/signing-keys');
  box.replaceChildren(
    el('p', {}, `Next rotation: ${when(answer.next_rotation_at)}. A replaced key stays published for `
      + `${Math.round(answer.overlap_seconds / 60)} min so assertions it signed still verify.`),
    table('Signing keys', [
      ['Key id', k => el('code', {}, k.kid)],
      ['State', k => (k.state === 'current' ? 'current (signs now)' : k.state === 'next' ? 'next (published, signs soon)' : 'retiring (published, no longer signs)')],
      ['Algorithm', k => k.alg],
      ['Created', k => when(k.created_at)],
      ['Published until', k => when(k.not_after)],
    ], answer.keys),
    el('p', { class: 'hint' }, 'Keyward makes the next key when the rotation is due; it is not published ahead. Public keys: ',
      el('a', { href: answer.jwks }, answer.jwks), '.'));
  return () => {};
}
