// The technician's support pane: machines (online, last seen, policy), the caller's support sessions, opening one
// with a reason, and a terminal in the browser on it. Keyward decides every action (which machines a caller may join, open a
// session, or join it, and when a step-up is needed); the pane shows what it answers, refusals with their codes.
import { el, table, when } from '/console/dom.js';
import { endsSession, openTerminal } from '/console/panes/support/terminal.js';

const statusText = {
  waiting_agent: 'Waiting for the machine\u2019s agent to connect…',
  waiting_consent: 'Waiting for consent from the person at the machine…',
  active: 'Connected.',
};

export async function mount(root, context) {
  const { api, busy, show, withStepUp } = context;
  let joinable = []; // the machines this account may join (GET /api/support/machines)
  let enrolled = null; // every live machine, for an admin; null for an account that may not list them
  let terminal = null;
  // Sessions a viewer socket has seen end: Keyward closes the viewers before it marks the session ended, so a list
  // read at that moment may still show it open.
  const ended = new Set();

  const machineBox = el('div', { id: 'support-machines' });
  const machineField = el('div', { id: 'support-machine-field' });
  const reason = el('input', { id: 'support-reason', name: 'reason', required: true, maxlength: 200, autocomplete: 'off' });
  const attended = el('input', { id: 'support-attended', name: 'attended', type: 'checkbox', checked: true });
  const openForm = el('form', { id: 'support-open-form', 'aria-labelledby': 'support-open-title' },
    machineField,
    el('label', { for: 'support-reason' }, 'Reason'),
    el('span', { class: 'hint', id: 'support-reason-hint' }, 'Shown to the person at the machine when they are asked to consent, and kept in the audit log.'),
    reason,
    el('div', { class: 'check' }, attended, el('label', { for: 'support-attended' }, 'Ask the person at the machine to consent')),
    el('span', { class: 'hint' }, 'Without consent (only where the machine\u2019s policy allows it) Keyward asks you to confirm with your security key first.'),
    el('button', { type: 'submit' }, 'Open support session'));
  reason.setAttribute('aria-describedby', 'support-reason-hint');
  const sessionBox = el('div', { id: 'support-sessions' });
  const terminalTitle = el('h2', { id: 'support-terminal-title' }, 'Terminal');
  const terminalStatus = el('p', { id: 'support-terminal-status', class: 'message', role: 'status', 'aria-live': 'polite' });
  const terminalBox = el('div', { id: 'support-terminal', class: 'terminal-box' });
  const closeButton = el('button', { type: 'button', class: 'secondary', id: 'support-terminal-close' }, 'Close terminal');
  const terminalSection = el('section', { id: 'support-terminal-section', 'aria-labelledby': 'support-terminal-title', hidden: true },
    terminalTitle, terminalStatus,
    el('p', { class: 'hint' }, 'The terminal takes every key, Tab too: Ctrl+] leaves it (to the Close button).'),
    terminalBox, closeButton);

  root.append(
    el('h1', {}, 'Support'),
    el('p', { class: 'hint' }, 'Open a support session on an enrolled machine, then a terminal on it. An attended machine asks the person there first.'),
    el('section', { 'aria-labelledby': 'support-machines-title' }, el('h2', { id: 'support-machines-title' }, 'Machines'), machineBox),
    el('section', { 'aria-labelledby': 'support-open-title' }, el('h2', { id: 'support-open-title' }, 'Open a support session'), openForm),
    el('section', { 'aria-labelledby': 'support-sessions-title' }, el('h2', { id: 'support-sessions-title' }, 'Your support sessions'), sessionBox),
    terminalSection);

  const label = id => (joinable.find(m => m.id === id) ?? enrolled?.find(m => m.id === id))?.label ?? id ?? 'ad hoc';

  function renderMachines() {
    // The table: an admin's view of every enrolled machine (with its host) where the account may read it, else the
    // machines this account may join. The form offers only the machines it may join, as Keyward's join check decides.
    const shown = enrolled ?? joinable;
    machineBox.replaceChildren(shown.length === 0
      ? el('p', { class: 'hint' }, enrolled
        ? 'No machine is enrolled yet: create an enroll token and run keyward agent enroll on the machine.'
        : 'No machine lets your account join it yet. Ask an admin to allow your account (or its role) on the machine.')
      : table(enrolled ? 'Enrolled machines' : 'Machines you may join', [
        ['Machine', m => m.label],
        ['Status', m => (m.online ? 'online' : 'offline')],
        ['Last seen', m => when(m.last_seen_at)],
        ['Policy', m => m.policy],
        ...(enrolled ? [['Host', m => m.hostname ?? '\u2014']] : []),
      ], shown));
    if (joinable.length === 0) {
      // Nothing to pick: a machine id can still be typed (Keyward answers the refusal's code).
      machineField.replaceChildren(
        el('label', { for: 'support-machine' }, 'Machine id'),
        el('input', { id: 'support-machine', name: 'machine_id', required: true, autocomplete: 'off', spellcheck: 'false' }));
      return;
    }

    machineField.replaceChildren(
      el('label', { for: 'support-machine' }, 'Machine'),
      el('select', { id: 'support-machine', name: 'machine_id', required: true },
        joinable.map(m => el('option', { value: m.id }, `${m.label} (${m.online ? 'online' : 'offline'}, ${m.policy})`))));
  }

  async function loadMachines() {
    const answer = await api('GET', '/api/support/machines');
    joinable = answer.machines;
    try {
      enrolled = (await api('GET', '/api/admin/machines')).filter(m => !m.key_revoked_at);
    } catch (error) {
      if (error.status !== 403) {
        throw error;
      }

      enrolled = null;
    }

    renderMachines();
  }

  async function loadSessions() {
    const sessions = (await api('GET', '/api/support/sessions')).sessions.filter(s => !ended.has(s.id));
    sessionBox.replaceChildren(sessions.length === 0
      ? el('p', { class: 'hint' }, 'No open support session.')
      : table('Your support sessions', [
        ['Machine', s => label(s.machine_id)],
        ['Reason', s => s.reason],
        ['State', s => s.state.replaceAll('_', ' ')],
        ['Opened', s => when(s.created_at)],
        ['Actions', s => [
          el('button', { type: 'button', onclick: () => busy('Joining…', () => join(s)), 'aria-label': `Open terminal on ${label(s.machine_id)}` }, 'Open terminal'),
          el('button', { type: 'button', class: 'secondary', onclick: () => busy('Ending…', () => end(s)), 'aria-label': `End the support session on ${label(s.machine_id)}` }, 'End'),
        ], 'actions'],
      ], sessions));
  }

  function closeTerminal() {
    terminal?.dispose();
    terminal = null;
  }

  /** Mints a join token (with a step-up when Keyward asks for one: an unattended machine) and opens the terminal. */
  async function join(session) {
    closeTerminal();
    const joined = await withStepUp(() => api('POST', `/api/support/sessions/${encodeURIComponent(session.id)}/join`));
    const name = label(session.machine_id);
    terminalTitle.textContent = `Terminal on ${name}`;
    terminalStatus.dataset.kind = 'progress';
    terminalStatus.textContent = 'Connecting…';
    terminalSection.hidden = false;
    terminalBox.replaceChildren();
    terminal = openTerminal(terminalBox, {
      viewerPath: joined.viewer_path,
      joinToken: joined.join_token,
      label: name,
      onStatus: state => {
        terminalStatus.dataset.kind = state === 'active' ? 'ok' : 'progress';
        terminalStatus.textContent = statusText[state] ?? state;
      },
      onEnded: (text, reason) => {
        terminalStatus.dataset.kind = 'error';
        terminalStatus.textContent = text;
        if (endsSession(reason)) {
          ended.add(session.id);
        }

        busy(null, loadSessions);
      },
      onLeave: () => closeButton.focus(),
    });
    show('info', '');
  }

  async function end(session) {
    await api('POST', `/api/support/sessions/${encodeURIComponent(session.id)}/end`);
    show('ok', `Support session on ${label(session.machine_id)} ended.`);
    await loadSessions();
  }

  openForm.addEventListener('submit', event => {
    event.preventDefault();
    busy('Opening a support session…', async () => {
      const machineId = openForm.elements.machine_id.value.trim();
      const opened = await api('POST', '/api/support/sessions', { machine_id: machineId, reason: reason.value.trim(), attended: attended.checked });
      reason.value = '';
      await loadSessions();
      await join(opened);
    });
  });
  closeButton.addEventListener('click', () => {
    closeTerminal();
    terminalSection.hidden = true;
  });

  // Machines first: the session list names machines by their labels.
  await loadMachines();
  await loadSessions();
  return closeTerminal;
}
