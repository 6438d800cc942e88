// SPDX-License-Identifier: Apache-2.0
/**
 * The reading pane. The body is never put into our page: it is the server's sanitized rendering in
 * an iframe sandboxed without allow-scripts and allow-same-origin, so even a sanitizer miss cannot run
 * script or reach our cookies. Remote content stays blocked until the user allows it for this message
 * or for the sender (a preference). Attachments download through JMAP; only raster images are
 * previewed in the page (an <img> never runs script; SVG and HTML never are), PDFs open in a new tab.
 */
import { h, replace, formatSize, formatAddresses } from '../core/dom.js';
import { trustedAuthResults } from './authresults.js';
import { Prefetch } from './prefetch.js';

const READ_PROPS = ['id', 'blobId', 'threadId', 'mailboxIds', 'keywords', 'size', 'receivedAt', 'sentAt', 'from', 'sender',
  'to', 'cc', 'bcc', 'replyTo', 'subject', 'hasAttachment', 'attachments', 'messageId', 'inReplyTo', 'references', 'preview',
  'header:Authentication-Results:asText:all'];
// The types the server agrees to send inline (postern-jmap BlobEndpoints.INLINE); SVG never.
const PREVIEW_IMAGE = /^image\/(png|jpeg|gif|webp)$/i;
const RAW_LIMIT = 2 * 1024 * 1024;
/** The longest the reader waits for a body's load before marking it read and warming the next ones. */
const BODY_WAIT_MS = 3000;

export class Reader {
  /**
   * @param {any} app
   * @param {HTMLElement} el
   * @param {HTMLElement} toolbar the reader's action bar (built by the mail feature)
   */
  constructor(app, el, toolbar) {
    this.app = app;
    this.el = el;
    this.toolbar = toolbar;
    /** @type {any} the email shown (the newest of a thread) */
    this.email = null;
    this.token = 0;
    this.prefetch = new Prefetch(app, READ_PROPS);
    if (app.el && app.el.list) this.prefetch.watch(app.el.list, () => !this.email);
    this.clear();
  }

  clear() {
    this.email = null;
    this.token++;
    replace(this.el, h('p', { class: 'reader-empty', 'data-testid': 'reader-empty' }, 'Select a message to read it.'));
  }

  /**
   * Shows a message. Without threads, what is already in the page (the list's row, or what the
   * prefetch fetched) shows at once with its body frame loading, and the server's Email/get follows
   * to complete the header or to say the message is gone (moved or deleted meanwhile).
   * @param {string} emailId @param {boolean} thread show the whole conversation
   */
  async open(emailId, thread) {
    const token = ++this.token;
    if (!thread) {
      const known = this.prefetch.email(emailId) || this.listEmail(emailId);
      if (known) return this.openKnown(known, token);
    }
    let emails;
    try {
      if (thread) {
        const res = await this.app.jmap.call([
          ['Email/get', { ids: [emailId], properties: ['threadId'] }, 'e'],
          ['Thread/get', { '#ids': { resultOf: 'e', name: 'Email/get', path: '/list/*/threadId' } }, 't'],
          ['Email/get', { '#ids': { resultOf: 't', name: 'Thread/get', path: '/list/*/emailIds' }, properties: READ_PROPS }, 'g'],
        ]);
        const g = res[2][0] === 'Email/get' ? res[2][1] : null;
        emails = g && g.list.length ? g.list.slice(-25) : null;
      }
      if (!emails) emails = (await this.app.jmap.one('Email/get', { ids: [emailId], properties: READ_PROPS })).list;
    } catch (e) {
      if (token === this.token) this.app.toast(`Could not open the message: ${e.message}`, { error: true });
      return null;
    }
    if (token !== this.token) return null;
    if (!emails.length) {
      this.gone(emailId);
      return null;
    }
    emails.sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : 1));
    const main = emails.find((e) => e.id === emailId) || emails[emails.length - 1];
    const { loaded } = this.show(emails, main);
    loaded.then(() => this.afterShown(emails, main, token));
    return main;
  }

  /**
   * Marks the message read once both its body has loaded and the server confirmed it still exists.
   * @param {any} known the Email as the page has it @param {number} token
   */
  async openKnown(known, token) {
    const { section, loaded } = this.show([known], known);
    // What the prefetch fetched is complete (the DMARC warning shows at once): it is checked after the
    // body, so the check does not compete with it. A list row lacks most of the header: asked at once.
    const full = known === this.prefetch.email(known.id);
    const ask = () => this.app.jmap.one('Email/get', { ids: [known.id], properties: READ_PROPS }).then((r) => r.list[0] || null);
    const check = full ? loaded.then(ask) : ask();
    Promise.all([loaded, check]).then(([, fresh]) => { if (fresh) this.afterShown([fresh], fresh, token); }, () => {});
    let fresh;
    try {
      fresh = await check;
    } catch (e) {
      if (token === this.token) this.app.toast(`Could not open the message: ${e.message}`, { error: true });
      return known;
    }
    if (token !== this.token) return null;
    if (!fresh) {
      this.gone(known.id);
      return null;
    }
    this.prefetch.remember(fresh);
    this.email = fresh;
    this.details(section, fresh);
    return fresh;
  }

  /** @param {string} id */
  listEmail(id) {
    const list = this.app.mail && this.app.mail.list;
    return list ? list.emails.get(id) : undefined;
  }

  /** @param {string} id */
  gone(id) {
    this.prefetch.forget(id);
    this.email = null;
    replace(this.el, h('p', { class: 'reader-empty', 'data-testid': 'reader-gone' }, 'This message no longer exists.'));
  }

  /**
   * Fills the pane. @param {any[]} emails oldest first @param {any} main the one opened
   * @returns {{section: HTMLElement, loaded: Promise<void>}} main's section; when its body has loaded
   */
  show(emails, main) {
    this.email = main;
    const subject = main.subject || '(no subject)';
    document.title = `${subject} · Postern`;
    let loaded = Promise.resolve();
    let section = /** @type {HTMLElement|null} */ (null);
    const sections = emails.map((e) => {
      const m = this.message(e, e === main || emails.length === 1);
      if (e === main) ({ section, loaded } = m);
      return m.section;
    });
    replace(this.el, h('article', { class: ['reader', emails.length > 1 ? 'thread' : null], 'aria-label': subject, 'data-testid': 'reader' },
      this.toolbar,
      h('h2', { class: 'sr-only' }, subject),
      sections));
    return { section: /** @type {HTMLElement} */ (section), loaded };
  }

  /**
   * Once the body shows: opening is reading, so mark it (after the body, so the request and the
   * list's refresh it causes never delay it), then warm the neighbours for j/k.
   * @param {any[]} emails @param {any} main @param {number} token the open this belongs to
   */
  afterShown(emails, main, token) {
    const unread = emails.filter((e) => !(e.keywords || {}).$seen).map((e) => e.id);
    if (unread.length) {
      for (const e of emails) e.keywords = { ...(e.keywords || {}), $seen: true };
      this.app.mail.actions.setKeyword(unread, '$seen', true).catch(() => {});
    }
    if (token === this.token) this.prefetch.warmAround(main.id);
  }

  /**
   * One message of the pane: its header and its body host.
   * @param {any} e @param {boolean} expanded
   * @returns {{section: HTMLElement, loaded: Promise<void>}}
   */
  message(e, expanded) {
    const body = h('div', { class: 'message-body-host' });
    const section = h('section', { class: 'message', 'data-testid': 'message', 'data-id': e.id }, body);
    this.details(section, e);
    let loaded = Promise.resolve();
    if (expanded) loaded = this.body(e, body);
    else {
      body.appendChild(h('button', { type: 'button', class: 'expand', onclick: () => this.body(e, body) }, e.preview || 'Show message'));
    }
    return { section, loaded };
  }

  /**
   * (Re)builds everything of a message's section but its body host, which keeps its frame loading.
   * @param {HTMLElement} section @param {any} e
   */
  details(section, e) {
    const host = /** @type {HTMLElement} */ (section.querySelector(':scope > .message-body-host'));
    for (const child of [...section.children]) if (child !== host) child.remove();
    const from = (e.from || [])[0];
    const auth = trustedAuthResults(e['header:Authentication-Results:asText:all'], location.hostname);
    const head = h('header', { class: 'message-head' },
      h('h3', { class: 'subject', 'data-testid': 'message-subject' }, e.subject || '(no subject)'),
      h('dl', null,
        h('dt', null, 'From'), h('dd', { 'data-testid': 'message-from' }, formatAddresses(e.from) || '(none)'),
        e.sender && e.sender.length && formatAddresses(e.sender) !== formatAddresses(e.from)
          ? [h('dt', null, 'Sender'), h('dd', null, formatAddresses(e.sender))] : null,
        e.to && e.to.length ? [h('dt', null, 'To'), h('dd', { 'data-testid': 'message-to' }, formatAddresses(e.to))] : null,
        e.cc && e.cc.length ? [h('dt', null, 'Cc'), h('dd', null, formatAddresses(e.cc))] : null,
        e.replyTo && e.replyTo.length ? [h('dt', null, 'Reply-To'), h('dd', null, formatAddresses(e.replyTo))] : null,
        h('dt', null, 'Date'), h('dd', null, new Date(e.sentAt || e.receivedAt).toLocaleString()),
        auth ? [h('dt', null, 'Verified'), h('dd', null, this.authLine(auth))] : null),
      h('button', { type: 'button', class: 'link', 'data-testid': 'show-headers', onclick: (ev) => this.toggleRaw(e, head, /** @type {HTMLButtonElement} */ (ev.currentTarget)) }, 'Show original'));
    const parts = [head];
    if (auth && auth.dmarc === 'fail') {
      parts.push(h('div', { class: 'bar danger', role: 'alert', 'data-testid': 'dmarc-warning' },
        h('strong', null, 'Warning: '),
        `this message claims to be from ${from ? from.email : 'an unknown sender'} but failed the sender's DMARC check. `
        + 'It may be forged: do not trust its links, attachments or requests for money or passwords.'));
    }
    const atts = (e.attachments || []).filter((a) => !(a.disposition === 'inline' && a.cid));
    if (atts.length) parts.push(this.attachments(atts));
    for (const p of parts) section.insertBefore(p, host);
  }

  /** @param {{spf: string|null, dkim: string|null, dmarc: string|null}} a */
  authLine(a) {
    const part = (label, v) => h('span', { class: v === 'pass' ? 'pass' : (v === 'fail' || v === 'softfail' || v === 'permerror') ? 'fail' : '' },
      `${label} ${v || 'none'}`);
    return h('span', { class: 'auth', 'data-testid': 'auth-results' }, part('SPF', a.spf), ' · ', part('DKIM', a.dkim), ' · ', part('DMARC', a.dmarc));
  }

  /**
   * The body frame, and the remote-content bar when the server blocked something.
   * @param {any} e @param {HTMLElement} host @returns {Promise<void>} when the frame has loaded (or given up)
   */
  body(e, host) {
    const from = ((e.from || [])[0] || {}).email || '';
    const { base, remote: allowed } = this.prefetch.bodyUrl(e);
    const frame = (remote) => h('iframe', {
      sandbox: 'allow-popups allow-popups-to-escape-sandbox',
      referrerpolicy: 'no-referrer',
      class: 'body-frame',
      title: `Message body: ${e.subject || '(no subject)'}`,
      'data-testid': 'message-body',
      src: remote ? `${base}?remote=1` : base,
    });
    const first = frame(allowed);
    // A frame fires load even for an error page; the timeout covers one that never does.
    const loaded = new Promise((resolve) => {
      first.addEventListener('load', () => resolve(), { once: true });
      setTimeout(resolve, BODY_WAIT_MS);
    });
    replace(host, first);
    if (allowed) return loaded;
    // Asked with the frame (both wait for one render): asked later, the message may have moved by then.
    fetch(base, { method: 'HEAD', credentials: 'same-origin' }).then((r) => {
      if (r.headers.get('X-Postern-Remote-Content') !== 'blocked' || !host.isConnected) return;
      const bar = h('div', { class: 'bar warn', 'data-testid': 'remote-content-bar' },
        h('span', null, 'Remote images and styles in this message were blocked to protect your privacy.'),
        h('button', { type: 'button', 'data-testid': 'load-remote', onclick: () => replace(host, frame(true)) }, 'Load them'),
        from ? h('button', {
          type: 'button', 'data-testid': 'always-remote',
          onclick: async () => {
            const list = this.app.prefs.get('remoteSenders', []);
            const next = [...new Set([...(Array.isArray(list) ? list : []), from.toLowerCase()])].slice(-1000);
            replace(host, frame(true));
            await this.app.prefs.set('remoteSenders', next).catch(() => this.app.toast('Could not save the preference.', { error: true }));
          },
        }, `Always from ${from}`) : null);
      host.insertBefore(bar, host.firstChild);
    }).catch(() => {});
    return loaded;
  }

  /** @param {any[]} atts */
  attachments(atts) {
    return h('ul', { class: 'attachments', 'aria-label': 'Attachments', 'data-testid': 'attachments' },
      atts.map((a) => {
        const name = a.name || 'attachment';
        const type = (a.type || 'application/octet-stream').toLowerCase();
        const url = this.app.jmap.downloadUrl(a.blobId, name, type);
        const isImage = PREVIEW_IMAGE.test(type);
        const isPdf = type === 'application/pdf';
        const inline = isImage || isPdf ? this.app.jmap.downloadUrl(a.blobId, name, type, true) : null;
        return h('li', { class: 'attachment', 'data-testid': 'attachment' },
          h('span', { class: 'att-name', title: name, 'data-testid': 'attachment-name' }, name),
          h('span', { class: 'muted' }, `${type}, ${formatSize(a.size)}`),
          h('a', { href: url, download: name, rel: 'noopener noreferrer', 'data-testid': 'attachment-download', 'aria-label': `Download ${name}` }, 'Download'),
          isImage ? h('button', { type: 'button', 'data-testid': 'attachment-preview', onclick: () => previewImage(inline, name) }, 'Preview') : null,
          isPdf ? h('a', { href: inline, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'attachment-open', 'aria-label': `Open ${name} in a new tab` }, 'Open') : null);
      }));
  }

  /** The message source as text, bounded; textContent, never parsed. */
  async toggleRaw(e, section, button) {
    const existing = section.querySelector('.raw');
    if (existing) {
      existing.remove();
      button.textContent = 'Show original';
      return;
    }
    button.disabled = true;
    try {
      const r = await fetch(this.app.jmap.downloadUrl(e.blobId, 'message.eml', 'text/plain'), { credentials: 'same-origin' });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const blob = await r.blob();
      let text = await blob.slice(0, RAW_LIMIT).text();
      if (blob.size > RAW_LIMIT) text += `\n\n[… ${formatSize(blob.size - RAW_LIMIT)} more not shown]`;
      const pre = h('pre', { class: 'raw', 'data-testid': 'raw-message', tabindex: '0', 'aria-label': 'Original message' });
      pre.textContent = text;
      section.appendChild(pre);
      button.textContent = 'Hide original';
    } catch (err) {
      this.app.toast(`Could not load the original: ${err.message}`, { error: true });
    } finally {
      button.disabled = false;
    }
  }
}

/** @param {string} url @param {string} name */
function previewImage(url, name) {
  const close = h('button', { type: 'button', class: 'primary', onclick: () => dlg.close() }, 'Close');
  const dlg = /** @type {HTMLDialogElement} */ (h('dialog', { class: 'dialog preview-dialog', 'aria-label': name, 'data-testid': 'image-preview' },
    h('h2', null, name),
    h('img', { src: url, alt: name, referrerpolicy: 'no-referrer' }),
    h('div', { class: 'buttons' }, close)));
  dlg.addEventListener('close', () => dlg.remove());
  document.body.appendChild(dlg);
  dlg.showModal();
}
