// Invites: create one (name, role, lifetime), shown once with a copy button and the QR code of its link (drawn from
// the server's module path with DOM APIs: no markup, no QR script); the pending ones, each with a revoke.
import { el, table, when } from '/console/dom.js';

const SVG = 'http://www.w3.org/2000/svg';

/** The QR code Keyward computed (size in modules, SVG path of the dark ones), as an inline SVG image. */
function qrImage(qr, label) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${qr.size} ${qr.size}`);
  svg.setAttribute('class', 'invite-qr');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('shape-rendering', 'crispEdges');
  const background = document.createElementNS(SVG, 'rect');
  background.setAttribute('width', String(qr.size));
  background.setAttribute('height', String(qr.size));
  background.setAttribute('fill', '#fff');
  const modules = document.createElementNS(SVG, 'path');
  modules.setAttribute('d', qr.path);
  modules.setAttribute('fill', '#000');
  svg.append(background, modules);
  return svg;
}

export async function mountInvites(box, context) {
  const { api, busy, show, withStepUp } = context;
  const name = el('input', { id: 'admin-invite-name', name: 'account_name', required: true, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', maxlength: 200 });
  const role = el('select', { id: 'admin-invite-role', name: 'role' }, el('option', { value: 'user' }, 'user'), el('option', { value: 'admin' }, 'admin'));
  const lifetime = el('select', { id: 'admin-invite-lifetime', name: 'lifetime' },
    el('option', { value: '' }, 'Keyward’s default (the longest allowed)'),
    el('option', { value: '900' }, '15 minutes'),
    el('option', { value: '3600' }, '1 hour'),
    el('option', { value: '28800' }, '8 hours'));
  const form = el('form', { id: 'admin-invite-form', class: 'invite-form', 'aria-labelledby': 'admin-invite-create-title' },
    el('label', { for: 'admin-invite-name' }, 'Account name'), name,
    el('label', { for: 'admin-invite-role' }, 'Role'), role,
    el('label', { for: 'admin-invite-lifetime' }, 'Expires after'), lifetime,
    el('button', { type: 'submit' }, 'Create the invite'));
  const once = el('div', { id: 'admin-invite-once', 'aria-live': 'polite' });
  const list = el('div', { id: 'admin-invite-list' });
  box.append(el('h3', { id: 'admin-invite-create-title' }, 'Invite someone'), form, once, el('h3', {}, 'Pending invites'), list);

  function showOnce(invite) {
    const link = el('input', { id: 'admin-invite-link', readonly: true, value: invite.link, 'aria-describedby': 'admin-invite-once-hint' });
    const copy = el('button', {
      type: 'button', id: 'admin-invite-copy',
      onclick: () => busy('', async () => {
        await navigator.clipboard.writeText(invite.link);
        show('ok', 'Invite link copied.');
      }),
    }, 'Copy the link');
    const done = el('button', { type: 'button', class: 'secondary', onclick: () => { once.replaceChildren(); name.focus(); } }, 'Done (hide it)');
    once.replaceChildren(el('div', { class: 'invite-once' },
      el('p', {}, el('strong', {}, `Invite for ${invite.account_name} (${invite.role}), until ${when(invite.expires_at)}.`)),
      el('p', { id: 'admin-invite-once-hint', class: 'hint' }, 'Shown once: Keyward keeps only its hash. Send it by a channel you trust; whoever holds it can register the account.'),
      el('label', { for: 'admin-invite-link' }, 'Invite link'), link,
      el('div', { class: 'invite-buttons' }, copy, done),
      qrImage(invite.qr, `QR code of the invite link for ${invite.account_name}`)));
  }

  async function load() {
    const invites = await api('GET', '/api/admin/invites');
    list.replaceChildren(invites.length === 0 ? el('p', { class: 'hint' }, 'No pending invite.') : table('Pending invites', [
      ['Account', i => i.account_name + (i.reenroll ? ' (new key for an existing account)' : '')],
      ['Role', i => i.role],
      ['Created by', i => i.created_by ?? '—'],
      ['Expires', i => when(i.expires_at)],
      ['Actions', i => el('button', {
        type: 'button', class: 'secondary', 'aria-label': `Revoke the invite for ${i.account_name}`,
        onclick: () => busy('Revoking…', async () => {
          await withStepUp(() => api('POST', `/api/admin/invites/${encodeURIComponent(i.id)}/revoke`));
          show('ok', `The invite for ${i.account_name} is revoked.`);
          await load();
        }),
      }, 'Revoke'), 'actions'],
    ], invites));
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    busy('Creating the invite…', async () => {
      const body = { account_name: name.value.trim(), role: role.value };
      if (lifetime.value) {
        body.lifetime_seconds = Number(lifetime.value);
      }

      const invite = await withStepUp(() => api('POST', '/api/admin/invites', body));
      form.reset();
      showOnce(invite);
      show('ok', `Invite for ${invite.account_name} created.`);
      await load();
    });
  });

  await load();
  return () => once.replaceChildren();
}
