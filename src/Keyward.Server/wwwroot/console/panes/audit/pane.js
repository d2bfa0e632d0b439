// The audit viewer (issue 14 item 3), for admins: the log filtered by actor, action, outcome and time
// (GET /api/audit/events), and each event checked in this browser against the latest signed tree head (proof.js:
// WebCrypto SHA-256, RFC 6962 hashing, the head's ES256 signature against GET /api/audit/key).
import { el, table, when } from '/console/dom.js';
import { eventLeafHash, pemToSpki, verifyEvent, verifyTreeHead } from '/console/panes/audit/proof.js';

const shown = 50;

export async function mount(root, context) {
  const { api, busy, show } = context;
  const field = (id, label, input) => el('div', { class: 'audit-field' }, el('label', { for: id }, label), input);
  const actor = el('input', { id: 'audit-actor', name: 'actor', maxlength: 200, autocomplete: 'off' });
  const action = el('input', { id: 'audit-action', name: 'action', maxlength: 100, autocomplete: 'off', placeholder: 'e.g. signin.succeeded' });
  const outcome = el('select', { id: 'audit-outcome', name: 'outcome' },
    el('option', { value: '' }, 'any'), el('option', { value: 'success' }, 'success'), el('option', { value: 'denied' }, 'denied'), el('option', { value: 'failure' }, 'failure'));
  const from = el('input', { id: 'audit-from', name: 'from', type: 'datetime-local' });
  const to = el('input', { id: 'audit-to', name: 'to', type: 'datetime-local' });
  const filters = el('form', { id: 'audit-filters', class: 'audit-filters', 'aria-label': 'Filter the audit log' },
    field('audit-actor', 'Actor', actor),
    field('audit-action', 'Action', action),
    field('audit-outcome', 'Outcome', outcome),
    field('audit-from', 'From (your time)', from),
    field('audit-to', 'Until (your time)', to),
    el('div', { class: 'audit-buttons' }, el('button', { type: 'submit' }, 'Show events')));
  const headBox = el('p', { id: 'audit-head', class: 'audit-head' });
  const eventBox = el('div', { id: 'audit-events' });
  const verifyAll = el('button', { type: 'button', id: 'audit-verify-all', class: 'secondary', onclick: () => busy('Checking every shown event…', checkAll) }, 'Verify all shown');
  const download = el('button', { type: 'button', id: 'audit-download', class: 'secondary', onclick: () => downloadShown() }, 'Download shown events');
  // The whole log as keyward audit export writes it (GET /api/audit/export, the session cookie): for keyward audit verify.
  const exportAll = el('a', { id: 'audit-export', class: 'button secondary', href: '/api/audit/export', download: '' }, 'Export the whole log');

  root.append(
    el('h1', {}, 'Audit log'),
    el('section', { 'aria-labelledby': 'audit-proves-title', class: 'audit-proves' },
      el('h2', { id: 'audit-proves-title' }, 'What “verified” proves'),
      el('p', {}, 'Verify recomputes the event’s hash in this browser from what is shown, follows its inclusion proof to the root of '
        + 'Keyward’s latest signed tree head, and checks that head’s ES256 signature against Keyward’s published audit key. '
        + 'A mark of “verified” means the event as stored now is the event the log signed: it catches a database edited '
        + 'behind Keyward’s back.'),
      el('p', {}, 'It does not protect against a compromised Keyward server: this checking script, the key and the tree head all '
        + 'come from it. For an independent check, run ', el('code', {}, 'keyward audit export'), ' then ',
      el('code', {}, 'keyward audit verify'), ' on the file elsewhere, or keep tree heads with an outside monitor and compare them.')),
    el('h2', {}, 'Events'),
    filters,
    headBox,
    el('div', { class: 'audit-buttons' }, verifyAll, download, exportAll),
    el('p', { class: 'hint' }, `The newest ${shown} matching events, newest first. “Export the whole log” downloads every event with its proofs, for keyward audit verify.`),
    eventBox);

  let events = [];
  let checked = new Map();
  let trusted = null; // { head, spki } once the latest head's signature verified

  const instant = input => (input.value ? new Date(input.value).toISOString() : null);

  async function loadEvents() {
    const query = new URLSearchParams({ latest: 'true', limit: String(shown) });
    for (const [name, value] of [['actor', actor.value.trim()], ['action', action.value.trim()], ['outcome', outcome.value], ['from', instant(from)], ['to', instant(to)]]) {
      if (value) {
        query.set(name, value);
      }
    }

    const page = await api('GET', `/api/audit/events?${query}`);
    events = page.events.slice().reverse();
    checked = new Map();
    render();
  }

  function verdictOf(e) {
    const result = checked.get(e.sequence);
    if (!result) {
      return el('span', { class: 'audit-verdict', 'data-verdict': 'unchecked' }, 'not checked');
    }

    return el('span', { class: 'audit-verdict', 'data-verdict': result.ok ? 'verified' : 'failed' },
      el('strong', {}, result.ok ? '✓ verified' : '✗ does not verify'), `: ${result.reason}`);
  }

  function render() {
    eventBox.replaceChildren(events.length === 0 ? el('p', { class: 'hint' }, 'No event matches.') : table('Audit events', [
      ['#', e => String(e.sequence)],
      ['When', e => when(e.recorded_at)],
      ['Actor', e => e.actor],
      ['Action', e => e.action],
      ['Outcome', e => e.outcome],
      ['Target', e => e.target ?? '—'],
      // Each value quoted as JSON, so a value holding ", outcome=success" cannot pass for another detail.
      ['Details', e => Object.entries(e.details).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ') || '—'],
      ['Proof', e => el('div', { id: `audit-proof-${e.sequence}` }, verdictOf(e), ' ',
        el('button', { type: 'button', class: 'secondary', 'aria-label': `Verify event ${e.sequence}`, onclick: () => busy(`Checking event ${e.sequence}…`, () => check(e)) }, 'Verify')), 'proof'],
    ], events));
  }

  /** The latest signed tree head, its signature checked against the published key (once per load). */
  async function treeHead() {
    if (trusted) {
      return trusted;
    }

    const [key, head] = await Promise.all([api('GET', '/api/audit/key'), api('GET', '/api/audit/sth')]);
    const spki = pemToSpki(key.public_key);
    const signed = await verifyTreeHead(head, spki);
    headBox.dataset.verdict = signed.ok ? 'verified' : 'failed';
    headBox.replaceChildren(
      el('strong', {}, signed.ok ? 'Latest tree head ✓ signature verified' : 'Latest tree head ✗ signature does not verify'),
      `: ${signed.reason}, at ${new Date(head.timestamp).toLocaleString()}.`);
    if (!signed.ok) {
      return null;
    }

    trusted = { head, spki };
    return trusted;
  }

  async function check(e) {
    let signed = await treeHead();
    if (signed && e.sequence >= signed.head.tree_size) {
      // Newer than the head checked when the page loaded: Keyward signs a newer head on request.
      trusted = null;
      signed = await treeHead();
    }

    let result;
    if (!signed) {
      result = { ok: false, reason: 'the latest tree head’s signature does not verify' };
    } else if (e.sequence >= signed.head.tree_size) {
      result = { ok: false, reason: `the latest signed tree head covers ${signed.head.tree_size} events, not this one` };
    } else {
      const proof = await api('GET', `/api/audit/proof/inclusion?sequence=${e.sequence}&tree_size=${signed.head.tree_size}`);
      result = await verifyEvent(e, proof, signed.head);
      result.proof = proof;
    }

    checked.set(e.sequence, result);
    document.getElementById(`audit-proof-${e.sequence}`)?.firstChild?.replaceWith(verdictOf(e));
    return result;
  }

  async function checkAll() {
    trusted = null;
    let failed = 0;
    for (const e of events) {
      if (!(await check(e)).ok) {
        failed++;
      }
    }

    show(failed === 0 ? 'ok' : 'error', failed === 0 ? `All ${events.length} shown events verified.` : `${failed} of ${events.length} shown events do not verify.`);
  }

  async function downloadShown() {
    const lines = await Promise.all(events.map(async e => ({
      ...e,
      recomputed_leaf_hash: btoa(String.fromCharCode(...await eventLeafHash(e))),
      proof: checked.get(e.sequence)?.proof ?? null,
      verdict: checked.get(e.sequence) ? (checked.get(e.sequence).ok ? 'verified' : 'does not verify') : 'not checked',
    })));
    const body = JSON.stringify({ tree_head: trusted?.head ?? null, events: lines }, null, 2);
    const link = el('a', { href: URL.createObjectURL(new Blob([body], { type: 'application/json' })), download: 'keyward-audit-events.json' });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  filters.addEventListener('submit', event => {
    event.preventDefault();
    busy('Reading the log…', loadEvents);
  });

  await loadEvents();
  await treeHead();
}
