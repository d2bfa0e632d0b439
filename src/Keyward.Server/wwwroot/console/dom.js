// Small DOM helpers for the console's panes. Text always goes in as text (textContent), never as markup.

/**
 * Makes an element: el('button', { type: 'button', onclick: f, 'aria-label': 'End' }, 'End').
 * Attributes named on… become listeners; true sets a boolean attribute, false and null leave it out.
 */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith('on')) {
      // Listeners only: an on… attribute would be inline script (refused by the CSP anyway).
      if (typeof value !== 'function') {
        throw new TypeError(`${name} must be a function`);
      }

      element.addEventListener(name.slice(2), value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else if (value !== false && value !== null && value !== undefined) {
      element.setAttribute(name, String(value));
    }
  }

  element.append(...children.flat().filter(c => c !== null && c !== undefined && c !== false).map(c => (c instanceof Node ? c : String(c))));
  return element;
}

/** A date and time in the reader's locale, or a dash. */
export const when = iso => (iso ? new Date(iso).toLocaleString() : '—');

/**
 * A table that stacks into labelled cards on narrow screens: columns are [header, cell(row)] pairs, a cell being text
 * or a node; the last column may be 'actions'.
 */
export function table(caption, columns, rows) {
  return el('table', {},
    el('caption', { class: 'visually-hidden' }, caption),
    el('thead', {}, el('tr', {}, columns.map(([header]) => el('th', { scope: 'col' }, header)))),
    el('tbody', {}, rows.map(row => el('tr', {}, columns.map(([header, cell, kind]) =>
      el('td', { 'data-label': header, class: kind ?? null }, cell(row)))))));
}
