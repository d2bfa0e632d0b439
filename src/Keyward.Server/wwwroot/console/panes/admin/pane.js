// The admin pane (issue 14 item 2), one page with four sections, each its own module in this folder: accounts (search,
// disable and enable, end sessions), invites (create, shown once with a copy button and a QR code; revoke), routes and
// signing keys (read-only). Every change asks for the admin step-up Keyward names (context.withStepUp); the API decides
// every action, this page only shows what the admin role may use.
import { el } from '/console/dom.js';
import { mountAccounts } from './accounts.js';
import { mountInvites } from './invites.js';
import { mountRoutes } from './routes.js';
import { mountSigningKeys } from './keys.js';

export async function mount(root, context) {
  const section = (id, title) => {
    const box = el('div', { id: `admin-${id}` });
    root.append(el('section', { 'aria-labelledby': `admin-${id}-title` }, el('h2', { id: `admin-${id}-title` }, title), box));
    return box;
  };

  root.append(el('h1', {}, 'Administration'));
  const accounts = section('accounts', 'Accounts');
  const invites = section('invites', 'Invites');
  const routes = section('routes', 'Routes');
  const keys = section('signing-keys', 'Signing keys');
  const unmounts = await Promise.all([
    mountAccounts(accounts, context),
    mountInvites(invites, context),
    mountRoutes(routes, context),
    mountSigningKeys(keys, context),
  ]);
  return () => unmounts.forEach(unmount => unmount?.());
}
