// Your account (issue 14 item 1): your security keys (rename; remove and add, each with a step-up) and your sessions
// (end one, or all the others), and your recent security events from the audit log (GET /api/account/events: only
// events whose actor or target is your account; admins read the whole log in the Audit pane).
import { registerKey } from '/shared/keyward.js';
import { el, table, when } from '/console/dom.js';

export async function mount(root, context) {
  const { api, busy, show, withStepUp } = context;
  const keyBox = el('div', { id: 'account-keys' });
  const sessionBox = el('div', { id: 'account-sessions' });
  const eventBox = el('div', { id: 'account-events' });
  const newKeyName = el('input', { id: 'account-new-key', name: 'key_name', autocomplete: 'off', maxlength: 64 });
  const addForm = el('form', { id: 'account-add-key-form', 'aria-labelledby': 'account-add-key-title' },
    el('label', { for: 'account-new-key' }, 'New key name'),
    newKeyName,
    el('button', { type: 'submit' }, 'Add a key'));

  root.append(
    el('h1', {}, 'Your account'),
    el('p', {}, `Signed in as ${context.account} (${context.role}).`),
    el('section', { 'aria-labelledby': 'account-keys-title' }, el('h2', { id: 'account-keys-title' }, 'Security keys'), keyBox,
      el('h3', { id: 'account-add-key-title' }, 'Add a key'),
      el('p', { class: 'hint' }, 'Confirm with one of your keys first, then touch the new one.'),
      addForm),
    el('section', { 'aria-labelledby': 'account-sessions-title' }, el('h2', { id: 'account-sessions-title' }, 'Sessions'), sessionBox),
    el('section', { 'aria-labelledby': 'account-events-title' }, el('h2', { id: 'account-events-title' }, 'Recent security events'),
      el('p', { class: 'hint' }, 'Your sign-ins, keys and sessions, and what was done to your account, newest first.'), eventBox));

  function renameForm(key, row) {
    const input = el('input', { id: `account-rename-${key.id}`, value: key.name, maxlength: 64, autocomplete: 'off', required: true });
    const form = el('form', { class: 'inline-form', 'aria-label': `Rename ${key.name}` },
      el('label', { for: `account-rename-${key.id}` }, `New name for ${key.name}`),
      input,
      el('div', {}, el('button', { type: 'submit' }, 'Save'), ' ', el('button', { type: 'button', class: 'secondary', onclick: loadKeys }, 'Cancel')));
    form.addEventListener('submit', event => {
      event.preventDefault();
      busy('Renaming…', async () => {
        await api('PATCH', `/api/keys/${encodeURIComponent(key.id)}`, { name: input.value.trim() });
        show('ok', `Key renamed to “${input.value.trim()}”.`);
        await loadKeys();
      });
    });
    row.replaceChildren(form);
    input.focus();
  }

  /** The key's type in words: a synced passkey, a key built into a device, a phone, or a roaming security key. */
  function keyType(k) {
    const via = k.transports ?? [];
    if (k.backup_eligible) {
      return 'passkey';
    }

    if (via.includes('internal')) {
      return 'built into a device';
    }

    if (via.length > 0 && via.every(t => t === 'hybrid')) {
      return 'phone';
    }

    return 'security key';
  }

  async function loadKeys() {
    const keys = await api('GET', '/api/keys');
    keyBox.replaceChildren(table('Your security keys', [
      ['Name', k => k.name + (k.current ? ' (signed in with it)' : '')],
      ['Type', k => keyType(k)],
      ['Added', k => when(k.created_at)],
      ['Last used', k => when(k.last_used_at)],
      ['Backup', k => (k.backup_eligible ? 'may be synced (passkey)' : 'this device only')],
      ['Actions', k => {
        const cell = el('div', {},
          el('button', { type: 'button', class: 'secondary', 'aria-label': `Rename ${k.name}`, onclick: () => renameForm(k, cell) }, 'Rename'),
          el('button', {
            type: 'button', class: 'secondary', 'aria-label': `Remove ${k.name}`,
            onclick: () => busy('Removing…', async () => {
              const done = await withStepUp(() => api('DELETE', `/api/keys/${encodeURIComponent(k.id)}`));
              show('ok', `Key “${k.name}” removed; ${done.sessions_ended} session(s) ended.`);
              await loadKeys();
            }),
          }, 'Remove'));
        return cell;
      }, 'actions'],
    ], keys));
  }

  async function loadSessions() {
    const sessions = await api('GET', '/session/list');
    const others = sessions.filter(s => !s.current);
    sessionBox.replaceChildren(
      table('Your sessions', [
        ['Started', s => when(s.created_at) + (s.current ? ' (this one)' : '')],
        ['Device', s => s.device ?? 'unknown device'],
        ['From', s => s.client_address ?? 'unknown address'],
        ['Last seen', s => when(s.last_seen_at)],
        ['Expires', s => when(s.expires_at)],
        ['Verified', s => (s.user_verified ? 'PIN or biometric' : 'presence only')],
        ['Actions', s => el('button', {
          type: 'button', class: 'secondary', 'aria-label': s.current ? 'End this session' : `End the session started ${when(s.created_at)}`,
          onclick: () => busy('Ending…', async () => {
            await api('DELETE', `/session/${encodeURIComponent(s.id)}`);
            if (s.current) {
              location.reload();
              return;
            }

            show('ok', 'Session ended.');
            await loadSessions();
          }),
        }, 'End'), 'actions'],
      ], sessions),
      others.length === 0 ? el('p', { class: 'hint' }, 'No other session.') : el('button', {
        type: 'button', id: 'account-end-others',
        onclick: () => busy('Ending the other sessions…', async () => {
          for (const s of others) {
            await api('DELETE', `/session/${encodeURIComponent(s.id)}`);
          }

          show('ok', `${others.length} other session(s) ended.`);
          await loadSessions();
        }),
      }, 'End all other sessions'));
  }

  async function loadEvents() {
    const answer = await api('GET', '/api/account/events?limit=20');
    const events = answer.events.slice().reverse();
    eventBox.replaceChildren(events.length === 0 ? el('p', { class: 'hint' }, 'No event yet.') : table('Your recent security events', [
      ['When', e => when(e.recorded_at)],
      ['What', e => e.action],
      ['Outcome', e => e.outcome],
      ['By', e => (e.actor === context.account ? 'you' : e.actor)],
      ['On', e => e.target ?? '—'],
      ['From', e => e.client ?? '—'],
    ], events));
  }

  addForm.addEventListener('submit', event => {
    event.preventDefault();
    busy('Confirming with your key…', async () => {
      // Keyward answers step_up_required (key.add) at register/begin; withStepUp performs it and begins again.
      const done = await withStepUp(() => registerKey({ key_name: newKeyName.value.trim() || null }, {}, text => show('progress', text)));
      newKeyName.value = '';
      show('ok', `Key “${done.key.name}” added.`);
      await loadKeys();
    });
  });

  await Promise.all([loadKeys(), loadSessions(), loadEvents()]);
}
