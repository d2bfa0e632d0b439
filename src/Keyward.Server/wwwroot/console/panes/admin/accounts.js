// Accounts: every account by name (paged through), filtered here by name, role and state; disable, enable and end
// sessions, each after the admin step-up.
import { el, table, when } from '/console/dom.js';

export async function mountAccounts(box, context) {
  const { api, busy, show, withStepUp } = context;
  const search = el('input', { id: 'admin-account-search', type: 'search', autocomplete: 'off', spellcheck: 'false' });
  const role = el('select', { id: 'admin-account-role' },
    el('option', { value: '' }, 'Any role'), el('option', { value: 'admin' }, 'admin'), el('option', { value: 'user' }, 'user'));
  const state = el('select', { id: 'admin-account-state' },
    el('option', { value: '' }, 'Any state'), el('option', { value: 'enabled' }, 'Enabled'), el('option', { value: 'disabled' }, 'Disabled'));
  const list = el('div', { id: 'admin-account-list' });
  box.append(
    el('form', { class: 'filters', role: 'search', 'aria-label': 'Filter accounts' },
      el('div', {}, el('label', { for: 'admin-account-search' }, 'Name'), search),
      el('div', {}, el('label', { for: 'admin-account-role' }, 'Role'), role),
      el('div', {}, el('label', { for: 'admin-account-state' }, 'State'), state)),
    list);

  let accounts = [];

  function act(verb, account, path, done) {
    return busy(`${verb} ${account.name}…`, async () => {
      const answer = await withStepUp(() => api('POST', `/api/admin/accounts/${encodeURIComponent(account.name)}/${path}`));
      show('ok', done(answer));
      await load();
    });
  }

  function render() {
    const name = search.value.trim().toLowerCase();
    const shown = accounts.filter(a => (!name || a.name.includes(name))
      && (!role.value || a.role === role.value)
      && (!state.value || (state.value === 'disabled') === a.disabled));
    list.replaceChildren(shown.length === 0 ? el('p', { class: 'hint' }, 'No account matches.') : table('Accounts', [
      ['Name', a => a.name + (a.name === context.account ? ' (you)' : '')],
      ['Role', a => a.role],
      ['State', a => (a.disabled ? `disabled ${when(a.disabled_at)}` : 'enabled')],
      ['Keys', a => String(a.key_count)],
      ['Sessions', a => String(a.session_count)],
      ['Created', a => when(a.created_at)],
      ['Actions', a => el('div', {},
        a.disabled
          ? el('button', { type: 'button', class: 'secondary', 'aria-label': `Enable ${a.name}`, onclick: () => act('Enabling', a, 'enable', () => `${a.name} is enabled.`) }, 'Enable')
          : el('button', { type: 'button', class: 'secondary', 'aria-label': `Disable ${a.name}`, onclick: () => act('Disabling', a, 'disable', r => `${a.name} is disabled; ${r.sessions_ended} session(s) ended.`) }, 'Disable'),
        el('button', {
          type: 'button', class: 'secondary', 'aria-label': `End sessions of ${a.name}`,
          onclick: () => act('Ending the sessions of', a, 'revoke-sessions', r => `${r.revoked} session(s) of ${a.name} ended.`),
        }, 'End sessions')), 'actions'],
    ], shown));
  }

  async function load() {
    const all = [];
    let after = null;
    // Pages of 500 by name, at most 20 of them (10,000 accounts): past that, the search says it looked at the first ones.
    for (let page = 0; page < 20; page++) {
      const answer = await api('GET', `/api/admin/accounts?limit=500${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      all.push(...answer.accounts);
      after = answer.next_after;
      if (!after) {
        break;
      }
    }

    accounts = all;
    render();
  }

  for (const control of [search, role, state]) {
    control.addEventListener('input', render);
  }

  box.querySelector('form').addEventListener('submit', event => event.preventDefault());
  await load();
  return () => {};
}
