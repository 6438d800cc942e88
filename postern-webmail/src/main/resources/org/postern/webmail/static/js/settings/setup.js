// SPDX-License-Identifier: Apache-2.0
/**
 * "Set up your mail app": the server name, the user name, and this server's real ports (from
 * /autoconfig/ports.json, which also says which of them answer right now, checked by the server
 * itself; the host name from the Thunderbird autoconfig document), implicit TLS first as RFC 8314
 * §5.1 asks; links to the autoconfig documents and the Apple profile with its QR code for phones.
 */
import { h, clear, extLink } from '../core/dom.js';

/** @typedef {{name: string, port: number, security: string, open: boolean|null}} PortRow */

const PROTOCOL = /** @type {Record<string, [string, string, number]>} */ ({
  // name -> [protocol shown, use, order]
  imaps: ['IMAP', 'Incoming', 0], imap: ['IMAP', 'Incoming', 3],
  pop3s: ['POP3', 'Incoming', 1], pop3: ['POP3', 'Incoming', 4],
  submissions: ['SMTP', 'Outgoing', 2], submission: ['SMTP', 'Outgoing', 5],
  smtp: ['SMTP', 'Other servers (MX), not for apps', 6],
});

const AUTOCONFIG = '/.well-known/autoconfig/mail/config-v1.1.xml';
const MOBILECONFIG = '/autoconfig/apple.mobileconfig';
const QR = '/autoconfig/mobileconfig-qr.png';
const PORTS = '/autoconfig/ports.json';

/** @param {any} app */
export async function setupPage(app) {
  const user = String(app.jmap.username ?? '');
  const q = `?emailaddress=${encodeURIComponent(user)}`;
  const fromConfig = await autoconfig(q);
  const host = fromConfig.host || location.hostname;
  const tbody = h('tbody', { 'data-testid': 'setup-ports' });
  const checked = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite', 'data-testid': 'setup-check-status' });
  const again = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', 'data-testid': 'setup-check', onclick: () => check() }, 'Check again'));

  async function check() {
    again.disabled = true;
    checked.textContent = 'Checking which ports answer…';
    /** @type {PortRow[]} */
    let rows;
    let live = true;
    try {
      const r = await fetch(PORTS, { credentials: 'same-origin', cache: 'no-store' });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const data = await r.json();
      if (!Array.isArray(data)) throw new Error('unexpected answer');
      rows = data.filter((p) => p && typeof p.name === 'string' && Number.isInteger(p.port))
        .map((p) => ({ name: p.name, port: p.port, security: String(p.security ?? ''), open: typeof p.open === 'boolean' ? p.open : null }));
    } catch (e) {
      live = false;
      rows = fromConfig.ports;
      checked.textContent = `The live check is not available (${/** @type {Error} */ (e).message}); ports from the autoconfig document.`;
    }
    render(rows);
    if (live) {
      const closed = rows.filter((r) => r.open === false).length;
      checked.textContent = closed === 0
        ? `All ${rows.length} ports answer (checked just now).`
        : `${closed} of ${rows.length} ports do not answer: apps cannot use those (checked just now).`;
    }
    again.disabled = false;
  }

  /** @param {PortRow[]} rows */
  function render(rows) {
    clear(tbody);
    const sorted = [...rows].sort((a, b) => (PROTOCOL[a.name]?.[2] ?? 9) - (PROTOCOL[b.name]?.[2] ?? 9));
    for (const r of sorted) {
      const [protocol, use] = PROTOCOL[r.name] ?? [r.name.toUpperCase(), '', 9];
      const tls = r.security === 'implicit-tls' || r.security === 'SSL' ? 'SSL/TLS' : r.security === 'starttls' || r.security === 'STARTTLS' ? 'STARTTLS' : r.security;
      const state = r.open === null ? 'not checked' : r.open ? 'answers' : 'does not answer';
      tbody.appendChild(h('tr', { 'data-testid': 'setup-port', dataset: { name: r.name, port: String(r.port), open: String(r.open) } },
        h('td', null, protocol), h('td', null, use), h('td', { class: 'num', 'data-testid': 'setup-port-number' }, String(r.port)),
        h('td', null, tls), h('td', { class: r.open === false ? 'port-closed' : r.open ? 'port-open' : 'muted' }, state)));
    }
  }

  const qr = h('img', { src: QR + q, width: 200, height: 200, class: 'setup-qr', 'data-testid': 'setup-qr',
    alt: `QR code: open it on an iPhone or iPad to install the mail profile for ${user}` });
  qr.addEventListener('error', () => qr.replaceWith(h('p', { class: 'muted' }, 'The QR code is not available on this server.')));

  const page = h('div', { class: 'settings-sections setup' },
    h('h2', null, 'Set up your mail app'),
    h('p', null, 'Most apps set themselves up: enter your email address and password, and they find the rest. If an app asks, use these settings.'),
    h('dl', { class: 'setup-facts' },
      h('dt', null, 'Server'), h('dd', { 'data-testid': 'setup-host' }, host),
      h('dt', null, 'User name'), h('dd', { 'data-testid': 'setup-username' }, user),
      h('dt', null, 'Password'), h('dd', null, 'Your webmail password'),
      h('dt', null, 'Authentication'), h('dd', null, 'Normal password (over TLS)')),
    h('table', { class: 'setup-ports' },
      h('caption', { class: 'sr-only' }, 'Ports of this server'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Protocol'), h('th', { scope: 'col' }, 'Use'),
        h('th', { scope: 'col' }, 'Port'), h('th', { scope: 'col' }, 'Security'), h('th', { scope: 'col' }, 'Status'))),
      tbody),
    h('div', { class: 'toolbar' }, again, checked),
    h('p', { class: 'muted' }, 'Prefer SSL/TLS ports; STARTTLS ports work too. Never choose "no encryption".'),
    h('h3', null, 'Automatic set-up'),
    h('ul', { class: 'setup-links' },
      h('li', null, extLink(AUTOCONFIG + q, 'Thunderbird / autoconfig settings'), ' ', h('span', { class: 'muted' }, '(Thunderbird finds this itself)')),
      h('li', null, h('a', { href: MOBILECONFIG + q, 'data-testid': 'setup-mobileconfig', download: '' }, 'Apple profile (iPhone, iPad, Mac)'),
        ' ', h('span', { class: 'muted' }, '(your device asks for the password when you install it)'))),
    h('figure', { class: 'setup-qr-figure' }, qr,
      h('figcaption', { class: 'muted' }, 'On an iPhone or iPad: scan with the camera, open the profile, then install it in Settings.')));
  render(fromConfig.ports);
  check();
  return page;
}

/**
 * The Thunderbird autoconfig document of this server, parsed as XML (inert: no script, no loads):
 * its host name and ports, the fallback when the live check is unavailable.
 * @param {string} q
 * @returns {Promise<{host: string, ports: PortRow[]}>}
 */
async function autoconfig(q) {
  try {
    const r = await fetch(AUTOCONFIG + q, { credentials: 'same-origin' });
    if (!r.ok) return { host: '', ports: [] };
    const doc = new DOMParser().parseFromString((await r.text()).slice(0, 200_000), 'application/xml');
    /** @type {PortRow[]} */
    const ports = [];
    let host = '';
    for (const s of doc.querySelectorAll('incomingServer, outgoingServer')) {
      const type = s.getAttribute('type') ?? '';
      const port = Number(s.querySelector('port')?.textContent);
      const socket = s.querySelector('socketType')?.textContent ?? '';
      host = host || (s.querySelector('hostname')?.textContent ?? '');
      if (!Number.isInteger(port)) continue;
      const tls = socket === 'SSL';
      const name = type === 'imap' ? (tls ? 'imaps' : 'imap') : type === 'pop3' ? (tls ? 'pop3s' : 'pop3') : (tls ? 'submissions' : 'submission');
      if (!ports.some((p) => p.name === name)) ports.push({ name, port, security: tls ? 'implicit-tls' : 'starttls', open: null });
    }
    return { host, ports };
  } catch {
    return { host: '', ports: [] };
  }
}
