// SPDX-License-Identifier: Apache-2.0
/**
 * Warming the messages the reader is likely to open next, so opening one shows at once (issue 7):
 * the neighbours of the open message in j/k order, the row under the pointer, the first rows of a
 * list that just loaded. Two things are warmed:
 * - the Email object with everything the reader shows (one Email/get for several ids), kept here in
 *   memory, bounded; the reader still checks it with the server after showing it;
 * - the body: a request with X-Postern-Prefetch makes the server render and cache the sanitized
 *   document (postern-webmail MessageView/RenderPool) and answers 204 without it. The body itself
 *   never comes to the page outside the sandboxed frame, so the frame's document keeps its own CSP,
 *   sandbox and no-store headers exactly as when nothing was prefetched.
 * Guesses stay cheap: a message is warmed at most once a minute, a few at a time, and the server
 * drops body prefetches when it is busy.
 */

const MAX_EMAILS = 200;
const FRESH_MS = 60_000;
const HOVER_MS = 100;

export class Prefetch {
  /**
   * @param {any} app
   * @param {string[]} props the Email properties the reader shows
   */
  constructor(app, props) {
    this.app = app;
    this.props = props;
    /** @type {Map<string, any>} id -> Email, oldest first */
    this.emails = new Map();
    /** @type {Map<string, number>} body URL -> when it was warmed */
    this.warmed = new Map();
    /** @type {Set<string>} ids asked for and not answered yet */
    this.asking = new Set();
  }

  /** The full Email if warmed, else undefined. @param {string} id */
  email(id) {
    return this.emails.get(id);
  }

  /** Keeps what the server just said about an email (the reader's own Email/get). @param {any} e */
  remember(e) {
    this.emails.delete(e.id);
    this.emails.set(e.id, e);
    while (this.emails.size > MAX_EMAILS) this.emails.delete(/** @type {string} */ (this.emails.keys().next().value));
  }

  /** @param {string} id */
  forget(id) {
    this.emails.delete(id);
  }

  /**
   * The body frame's URL; with remote content when the sender is on the user's list.
   * @param {any} e an Email with at least id and from
   */
  bodyUrl(e) {
    const from = ((e.from || [])[0] || {}).email || '';
    const senders = this.app.prefs.get('remoteSenders', []);
    const remote = !!from && Array.isArray(senders) && senders.includes(from.toLowerCase());
    const base = `/webmail/message/${encodeURIComponent(this.app.jmap.accountId)}/${encodeURIComponent(e.id)}`;
    return { base, remote, url: remote ? `${base}?remote=1` : base };
  }

  /**
   * Warms messages by id: their Email objects in one request and their bodies. Ids the list has not
   * loaded, drafts (they open in the composer) and those warmed in the last minute are skipped.
   * @param {Array<string|undefined>} ids
   */
  warm(ids) {
    const list = this.app.mail && this.app.mail.list;
    const drafts = this.app.mailboxByRole('drafts');
    const now = Date.now();
    const want = [];
    for (const id of ids) {
      const row = id && list ? list.emails.get(id) : null;
      if (!row || (drafts && row.mailboxIds && row.mailboxIds[drafts.id])) continue;
      const { url } = this.bodyUrl(row);
      const at = this.warmed.get(url);
      if (at !== undefined && now - at < FRESH_MS) continue;
      this.warmed.set(url, now);
      if (this.warmed.size > MAX_EMAILS) this.warmed.delete(/** @type {string} */ (this.warmed.keys().next().value));
      fetch(url, { method: 'HEAD', credentials: 'same-origin', cache: 'no-store', headers: { 'X-Postern-Prefetch': '1' } })
        .catch(() => { /* a guess only */ });
      if (!this.emails.has(row.id) && !this.asking.has(row.id)) want.push(row.id);
    }
    if (!want.length) return;
    for (const id of want) this.asking.add(id);
    this.app.jmap.one('Email/get', { ids: want, properties: this.props })
      .then((r) => { for (const e of r.list) this.remember(e); })
      .catch(() => { /* the reader asks when it opens */ })
      .finally(() => { for (const id of want) this.asking.delete(id); });
  }

  /** The neighbours of an open message in the list, j/k order first. @param {string} id */
  warmAround(id) {
    const list = this.app.mail && this.app.mail.list;
    if (!list) return;
    const pos = list.positionOf(id);
    if (pos < 0) return;
    this.warm([list.ids[pos + 1], list.ids[pos - 1], list.ids[pos + 2], list.ids[pos - 2]]);
  }

  /**
   * Watches the list pane: a row the pointer rests on (or presses) is warmed before the click
   * lands, and the first rows of a list that just loaded with nothing open.
   * @param {HTMLElement} pane the list pane
   * @param {() => boolean} idle true when no message is open
   */
  watch(pane, idle) {
    let timer = 0;
    /** @param {EventTarget|null} t */
    const rowId = (t) => {
      const row = t instanceof Element ? t.closest('[data-testid=message-row][data-id]') : null;
      return row ? row.getAttribute('data-id') : null;
    };
    pane.addEventListener('pointerover', (ev) => {
      clearTimeout(timer);
      const id = rowId(ev.target);
      if (id) timer = setTimeout(() => this.warm([id]), HOVER_MS);
    });
    pane.addEventListener('pointerout', () => clearTimeout(timer));
    pane.addEventListener('pointerdown', (ev) => {
      const id = rowId(ev.target);
      if (id) this.warm([id]);
    });
    // The first page of a new list fills rows' data-id: once it settles, warm the top rows.
    let settle = 0;
    let seen = '';
    new MutationObserver(() => {
      clearTimeout(settle);
      settle = setTimeout(() => {
        const list = this.app.mail && this.app.mail.list;
        if (!list || !list.loaded || !idle()) return;
        const top = list.ids.slice(0, 3);
        const key = top.join(',');
        if (!key || key === seen) return;
        seen = key;
        this.warm(top);
      }, 300);
    }).observe(pane, { subtree: true, attributes: true, attributeFilter: ['data-id'] });
  }
}
