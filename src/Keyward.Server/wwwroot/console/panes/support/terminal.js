// A terminal in the browser for one support session: xterm.js (vendored, /console/vendor/xterm/) on the viewer
// socket (docs/remote-support.md, "The viewer socket"). Keys go to the machine as binary frames, the machine's output
// comes back as binary frames, Keyward's status and end come as JSON text frames, and every size change of the
// terminal is sent as {"type":"resize","cols":C,"rows":R}.
import { Terminal } from '/console/vendor/xterm/xterm.mjs';
import { FitAddon } from '/console/vendor/xterm/addon-fit.mjs';

// ---- xterm.js under a strict Content-Security-Policy ----
//
// The console's CSP is style-src 'self' with no 'unsafe-inline'. xterm's DOM renderer does two things that policy
// refuses (each refusal also fires a securitypolicyviolation event): it creates three <style> elements (theme, cell
// sizes, scrollbar) while the terminal opens, and it sets style="…" with setAttribute on a cell for 24-bit colours.
// Both only carry CSS that this trusted module's own code computes, so they are applied through the CSSOM, which CSP
// does not govern (it guards markup, not script that is already allowed to run):
//  1. while term.open() runs, document.createElement('style') answers a hidden, inert <span> whose textContent is
//     written into a constructed CSSStyleSheet adopted by the document (removed again when the terminal is disposed);
//  2. setAttribute('style', v) on a <span> of a terminal becomes span.style.cssText = v (the same attribute value, set
//     through CSSOM); only while a terminal is open, and only for its spans (below).
// The terminal's browser test listens for securitypolicyviolation and fails on any.

function styleShim() {
  const sheet = new CSSStyleSheet();
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  const holder = document.createElement('span');
  holder.hidden = true;
  holder.dataset.xtermStyle = '';
  let text = '';
  Object.defineProperty(holder, 'textContent', {
    get: () => text,
    set: value => {
      text = String(value ?? '');
      sheet.replaceSync(text);
    },
  });
  return { holder, sheet };
}

function withStyleShims(work) {
  const sheets = [];
  const original = document.createElement;
  document.createElement = function createElement(tag, options) {
    if (String(tag).toLowerCase() === 'style') {
      const { holder, sheet } = styleShim();
      sheets.push(sheet);
      return holder;
    }

    return original.call(document, tag, options);
  };
  try {
    work();
  } finally {
    // The instance property shadowed Document.prototype.createElement; removing it restores the real one.
    delete document.createElement;
  }

  return sheets;
}

// The open terminals' elements. The setAttribute shim is installed while at least one is open and only for spans of
// theirs: a span inside one, or one with no parent yet (xterm's row factory styles each cell's span before the row's
// replaceChildren inserts it). Every other span's style attribute still meets the CSP, so a style attribute set by
// the console's own code is still refused and reported (the console test checks that).
const terminals = new Set();
const ownSetAttribute = Object.getOwnPropertyDescriptor(HTMLSpanElement.prototype, 'setAttribute');

function xtermSpan(span) {
  if (span.parentNode === null) {
    return true;
  }

  for (const element of terminals) {
    if (element.contains(span)) {
      return true;
    }
  }

  return false;
}

function cssomSetAttribute(name, value) {
  if (String(name).toLowerCase() === 'style' && xtermSpan(this)) {
    this.style.cssText = String(value);
    return;
  }

  Element.prototype.setAttribute.call(this, name, value);
}

function addTerminal(element) {
  terminals.add(element);
  if (HTMLSpanElement.prototype.setAttribute !== cssomSetAttribute) {
    Object.defineProperty(HTMLSpanElement.prototype, 'setAttribute', { value: cssomSetAttribute, writable: true, configurable: true });
  }
}

function removeTerminal(element) {
  terminals.delete(element);
  if (terminals.size === 0) {
    // Back to the inherited Element.prototype.setAttribute (or whatever the prototype held before).
    if (ownSetAttribute) {
      Object.defineProperty(HTMLSpanElement.prototype, 'setAttribute', ownSetAttribute);
    } else {
      delete HTMLSpanElement.prototype.setAttribute;
    }
  }
}

// ---- the viewer socket ----

/** What each end of a viewer socket means to the technician (the ended frame's reason, else the close code). */
const endings = {
  stream_closed: 'The terminal on the machine ended.',
  protocol_violation: 'Keyward closed the terminal: the page sent something it does not understand.',
  message_too_big: 'Keyward closed the terminal: a message was too big.',
  shutdown: 'Keyward is stopping.',
  session_ended: 'Your sign-in ended, so the terminal was closed.',
  consent_denied: 'The person at the machine declined. The support session has ended.',
  consent_timeout: 'Nobody at the machine answered in time. The support session has ended.',
  support_ended: 'The support session has ended.',
  ended_at_machine: 'The person at the machine ended the support session.',
  machine_revoked: 'The machine was revoked or removed. The support session has ended.',
  agent_gone: 'The machine went offline. The support session has ended.',
  relay_failed: 'Keyward could not relay the terminal.',
};
const closeCodes = { 1000: 'stream_closed', 1001: 'shutdown', 1008: 'protocol_violation', 1009: 'message_too_big', 1011: 'relay_failed', 4401: 'session_ended', 4403: 'consent_denied', 4408: 'consent_timeout', 4410: 'support_ended', 4502: 'agent_gone' };

/** The ends that end the support session itself (the others close only this terminal). */
const sessionEnds = new Set(['consent_denied', 'consent_timeout', 'support_ended', 'ended_at_machine', 'machine_revoked', 'agent_gone']);

/** True when a viewer socket's end (its reason) means the support session has ended too. */
export const endsSession = reason => sessionEnds.has(reason);

/** Says why a viewer socket ended, in words, with the reason code kept for reference. */
export function describeEnding(reason, code) {
  const key = reason ?? closeCodes[code];
  if (key?.startsWith('open_failed:')) {
    return `The machine could not open a terminal (${key.slice('open_failed:'.length)}).`;
  }

  return key ? `${endings[key] ?? 'The terminal closed.'} (${key})` : `The connection closed (WebSocket ${code}).`;
}

/**
 * Opens the terminal in container and connects it with a join token (spent by this one socket).
 * onStatus(state) gets waiting_agent, waiting_consent and active; onEnded(text, reason) once, at the end;
 * onLeave() when the technician presses Ctrl+] (the terminal takes every other key, Tab too: this is the way out for
 * the keyboard, telnet's escape character).
 */
export function openTerminal(container, { viewerPath, joinToken, label, onStatus, onEnded, onLeave }) {
  const term = new Terminal({
    cursorBlink: false,
    fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
    fontSize: 14,
    scrollback: 2000,
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  // Registered before open() (rows may be rendered while it runs), then narrowed to xterm's own element.
  addTerminal(container);
  const sheets = withStyleShims(() => term.open(container));
  const element = term.element ?? container;
  addTerminal(element);
  if (element !== container) {
    terminals.delete(container);
  }

  term.attachCustomKeyEventHandler(event => {
    if (event.ctrlKey && !event.altKey && !event.metaKey && event.code === 'BracketRight') {
      if (event.type === 'keydown') {
        onLeave();
      }

      return false;
    }

    return true;
  });
  term.textarea?.setAttribute('aria-label', `Terminal on ${label}`);
  fit.fit();

  const url = new URL(viewerPath, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('kind', 'terminal');
  url.searchParams.set('cols', String(term.cols));
  url.searchParams.set('rows', String(term.rows));
  url.searchParams.set('join', joinToken);
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';

  const encoder = new TextEncoder();
  let active = false;
  let reason = null;
  let ended = false;
  const send = data => {
    if (active && socket.readyState === WebSocket.OPEN) {
      socket.send(data);
    }
  };
  const sendSize = () => send(JSON.stringify({ type: 'resize', cols: term.cols, rows: term.rows }));

  socket.addEventListener('message', event => {
    if (typeof event.data !== 'string') {
      term.write(new Uint8Array(event.data));
      return;
    }

    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }

    if (message.type === 'status') {
      active = message.state === 'active';
      onStatus(message.state);
      if (active) {
        // The size may have changed while Keyward waited for the agent or for consent.
        sendSize();
        term.focus();
      }
    } else if (message.type === 'ended') {
      reason = String(message.reason ?? '');
    }
  });
  socket.addEventListener('close', event => {
    active = false;
    if (!ended) {
      ended = true;
      onEnded(describeEnding(reason, event.code), reason ?? closeCodes[event.code] ?? null);
    }
  });

  const input = term.onData(data => send(encoder.encode(data)));
  // onBinary carries bytes as a string of code units 0-255 (some mouse reports): send them as they are.
  const binary = term.onBinary(data => send(Uint8Array.from(data, c => c.charCodeAt(0) & 0xff)));
  const resized = term.onResize(sendSize);
  const observer = new ResizeObserver(() => {
    try {
      fit.fit();
    } catch {
      // The box is gone (the pane closed) or has no size yet.
    }
  });
  observer.observe(container);

  return {
    /** Closes the socket (1000) and removes the terminal. */
    dispose() {
      ended = true;
      observer.disconnect();
      input.dispose();
      binary.dispose();
      resized.dispose();
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) {
        socket.close(1000, 'closed by the technician');
      }

      term.dispose();
      removeTerminal(element);
      document.adoptedStyleSheets = document.adoptedStyleSheets.filter(s => !sheets.includes(s));
    },
    focus: () => term.focus(),
  };
}
