// Approvals (issue 12, item 6): what awaits my vote, each operation in plain words with its parameters and digest;
// Approve asks the key to sign the operation's own challenge (vote/begin → navigator.credentials.get → vote/finish);
// Deny ends the request. The requests I proposed are listed below, with Withdraw.
import { requireWebAuthnJson } from '/shared/keyward.js';
import { el, table, when } from '/console/dom.js';

export async function mount(root, context) {
  const { api, busy, show } = context;
  const awaitingBox = el('div', { id: 'approvals-awaiting' });
  const mineBox = el('div', { id: 'approvals-mine' });
  root.append(
    el('h1', {}, 'Approvals'),
    el('p', { class: 'hint' }, 'Each approval is a fresh touch of your security key, bound to exactly the operation shown. Compare the digest with the proposer if in doubt.'),
    el('section', { 'aria-labelledby': 'approvals-awaiting-title' }, el('h2', { id: 'approvals-awaiting-title' }, 'Awaiting your vote'), awaitingBox),
    el('section', { 'aria-labelledby': 'approvals-mine-title' }, el('h2', { id: 'approvals-mine-title' }, 'Proposed by you'), mineBox));

  function parameters(request) {
    const entries = Object.entries(request.parameters ?? {});
    return entries.length === 0 ? 'none' : entries.map(([name, value]) => `${name} = ${value}`).join('; ');
  }

  async function approve(request) {
    requireWebAuthnJson();
    const started = await api('POST', `/api/approvals/${encodeURIComponent(request.id)}/vote/begin`);
    show('progress', 'Touch your security key to approve…');
    const credential = await navigator.credentials.get({
      publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(started.public_key),
    });
    const vote = await api('POST', `/api/approvals/${encodeURIComponent(request.id)}/vote/finish`, { credential: credential.toJSON() });
    const missing = Object.entries(vote.missing ?? {}).map(([group, count]) => `${count} in ${group}`).join(', ');
    show('ok', vote.applied ? 'Approved: the quorum is complete and the operation was applied.' : `Approved. Still missing: ${missing}.`);
  }

  async function load() {
    const list = await api('GET', '/api/approvals');
    awaitingBox.replaceChildren(list.awaiting_my_vote.length === 0 ? el('p', { class: 'hint', id: 'approvals-none' }, 'Nothing awaits your vote.') : table('Requests awaiting your vote', [
      ['Operation', r => el('div', {}, el('strong', {}, r.summary), el('div', { class: 'hint' }, `${r.kind} on ${r.target}`))],
      ['Parameters', r => parameters(r)],
      ['Digest', r => el('code', { class: 'approvals-digest' }, r.operation_digest)],
      ['Expires', r => when(r.expires_at)],
      ['Actions', r => el('div', {},
        el('button', { type: 'button', 'aria-label': `Approve: ${r.summary}`, onclick: () => busy('Approving…', async () => { await approve(r); await load(); }) }, 'Approve'),
        ' ',
        el('button', {
          type: 'button', class: 'secondary', 'aria-label': `Deny: ${r.summary}`,
          onclick: () => busy('Denying…', async () => {
            await api('POST', `/api/approvals/${encodeURIComponent(r.id)}/deny`);
            show('ok', 'Denied: the request takes no more votes.');
            await load();
          }),
        }, 'Deny')), 'actions'],
    ], list.awaiting_my_vote));
    mineBox.replaceChildren(list.proposed_by_me.length === 0 ? el('p', { class: 'hint' }, 'You have no pending request.') : table('Requests you proposed', [
      ['Operation', r => r.summary],
      ['Votes', r => String(r.votes.length)],
      ['Expires', r => when(r.expires_at)],
      ['Actions', r => el('button', {
        type: 'button', class: 'secondary', 'aria-label': `Withdraw: ${r.summary}`,
        onclick: () => busy('Withdrawing…', async () => {
          await api('POST', `/api/approvals/${encodeURIComponent(r.id)}/withdraw`);
          show('ok', 'Withdrawn.');
          await load();
        }),
      }, 'Withdraw'), 'actions'],
    ], list.proposed_by_me));
  }

  await load();
}
