// SPDX-License-Identifier: Apache-2.0
/**
 * The message list with virtual scrolling: the DOM holds only the rows in view (plus a few), placed
 * with transforms over a spacer as tall as the whole list; rows are fetched in pages with Email/query
 * position/limit and Email/get by back-reference (RFC 8620 §3.7), one request per page. A
 * 100,000-message folder costs the same as a 100-message one: the ids of unseen pages are never
 * loaded. Fetching waits until scrolling settles, so a fast fling does not queue a request per frame.
 *
 * Conversation view (collapseThreads, RFC 8621 §4.4.3): a row shows its conversation's size, who took
 * part, whether any message is unread and the newest date. Those come after the page, for the rows in
 * view only: Thread/get (§3.1) of their threads, then Email/get of the newest DETAIL_PER_THREAD members
 * of each, so a 400-message thread costs what a 10-message one does. Not in the page's own request:
 * this server's Thread/get scans the account's messages (some 100 ms of CPU at 100,000), which would
 * double the first list's time; after it, the rows are already on screen.
 */
import { h, replace, formatDate } from '../core/dom.js';
import { DRAG_TYPE } from './folders.js';
import { icon } from './icons.js';

export const PAGE = 100;
const OVERSCAN = 8;
const FETCH_DELAY = 60;
/** Members per thread whose senders and keywords the row looks at (the newest ones). */
export const DETAIL_PER_THREAD = 10;
/** RFC 8620 §2 maxObjectsInGet of this server: one details request never asks more. */
const MAX_DETAIL = 500;
const DETAIL_PROPS = ['id', 'threadId', 'from', 'keywords', 'receivedAt', 'mailboxIds'];
export const LIST_PROPS = ['id', 'threadId', 'mailboxIds', 'keywords', 'from', 'to', 'subject', 'receivedAt', 'size', 'preview', 'hasAttachment', 'blobId'];

/**
 * @typedef {{filter: any, sort: any[], collapseThreads: boolean, title: string, mailboxId: string|null, search?: string}} Source
 */

export class MessageList {
  /**
   * @param {any} app
   * @param {{onOpen: (email: any) => void, onSelection: () => void, onAction?: (kind: string, id: string) => void,
   *   onTotal?: (total: number) => void}} hooks
   */
  constructor(app, hooks) {
    this.app = app;
    this.hooks = hooks;
    /** @type {Source|null} */
    this.source = null;
    this.generation = 0;
    this.total = 0;
    /** @type {Array<string|undefined>} position -> email id */
    this.ids = [];
    /** @type {Map<string, any>} */
    this.emails = new Map();
    /**
     * Conversations of the loaded rows (collapseThreads only): member ids oldest first (Thread/get),
     * and once asked for the rows in view, their senders, unread state and newest date.
     * @type {Map<string, {emailIds: string[], detail?: {names: string[], unread: boolean, newest: string}, stale?: boolean}>}
     */
    this.threads = new Map();
    /** @type {Set<string>} thread ids whose details are being asked */
    this.detailing = new Set();
    this.detailTimer = 0;
    /** @type {Set<number>} pages loaded for this generation */
    this.pages = new Set();
    /** @type {Set<number>} */
    this.loading = new Set();
    /** @type {Set<string>} */
    this.selected = new Set();
    this.anchor = -1;
    this.active = -1;
    /** @type {Map<number, HTMLElement>} position -> row in the DOM */
    this.rows = new Map();
    /** @type {HTMLElement[]} */
    this.pool = [];
    this.rowHeight = 64;
    this.fetchTimer = 0;
    this.frame = 0;
    this.loaded = false;
    /** @type {(() => void)|null} a key press that came before the list */
    this.afterLoad = null;
    /** @type {string|null} the open email, until its row is loaded */
    this.wantActive = null;

    this.spacer = h('div', { class: 'vlist-spacer' });
    this.viewport = h('div', {
      class: 'vlist', role: 'listbox', tabindex: '0', 'aria-multiselectable': 'true', 'aria-label': 'Messages',
      'data-testid': 'message-list',
    }, this.spacer);
    this.status = h('div', { class: 'list-status muted', 'aria-live': 'polite', 'data-testid': 'list-status' });
    this.viewport.addEventListener('scroll', () => this.schedule());
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
  }

  /** @param {Source} source */
  setSource(source) {
    const same = this.source && JSON.stringify(this.source) === JSON.stringify(source);
    this.source = source;
    if (same) return;
    this.generation++;
    this.total = 0;
    this.ids = [];
    this.threads.clear();
    this.detailing.clear();
    this.pages.clear();
    this.loading.clear();
    this.selected.clear();
    this.anchor = this.active = -1;
    this.loaded = false;
    this.afterLoad = null;
    for (const row of this.rows.values()) this.recycle(row);
    this.rows.clear();
    this.viewport.scrollTop = 0;
    this.spacer.style.height = '0px';
    this.status.textContent = 'Loading…';
    this.fetchPage(0);
    this.hooks.onSelection();
  }

  /** Reloads the visible pages (push, or after an action); keeps rows until new data replaces them. */
  refresh() {
    if (!this.source) return;
    this.generation++;
    this.pages.clear();
    this.loading.clear();
    // Shown as they are until the new answer replaces them, so a push does not make rows flicker.
    for (const t of this.threads.values()) t.stale = true;
    this.detailing.clear();
    const [first, last] = this.range();
    const p0 = Math.floor(first / PAGE), p1 = Math.floor(Math.max(first, last - 1) / PAGE);
    for (let p = p0; p <= p1; p++) this.fetchPage(p);
  }

  /** [first, last) positions that should be in the DOM. */
  range() {
    const top = this.viewport.scrollTop;
    const height = this.viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / this.rowHeight) - OVERSCAN);
    const last = Math.min(this.total, Math.ceil((top + height) / this.rowHeight) + OVERSCAN);
    return [first, last];
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  render() {
    const [first, last] = this.range();
    for (const [pos, row] of this.rows) {
      if (pos < first || pos >= last) {
        this.recycle(row);
        this.rows.delete(pos);
      }
    }
    let missing = false;
    for (let pos = first; pos < last; pos++) {
      let row = this.rows.get(pos);
      if (!row) {
        row = this.pool.pop() || this.createRow();
        this.rows.set(pos, row);
        this.viewport.appendChild(row);
      }
      const id = this.ids[pos];
      if (!id || !this.emails.has(id)) missing = true;
      this.fill(row, pos, id ? this.emails.get(id) : null);
    }
    if (missing) {
      clearTimeout(this.fetchTimer);
      this.fetchTimer = setTimeout(() => this.fetchVisible(), FETCH_DELAY);
    } else if (this.source && this.source.collapseThreads && this.wantsDetails(first, last)) {
      clearTimeout(this.detailTimer);
      this.detailTimer = setTimeout(() => this.fetchDetails(), FETCH_DELAY);
    }
  }

  /** Whether a row in [first, last) stands for a conversation not (or no longer) known. */
  wantsDetails(first, last) {
    for (let pos = first; pos < last; pos++) {
      const e = this.emails.get(this.ids[pos] || '');
      if (e && this.needsThread(e.threadId)) return true;
    }
    return false;
  }

  /** @param {string} threadId */
  needsThread(threadId) {
    if (this.detailing.has(threadId)) return false;
    const t = this.threads.get(threadId);
    return !t || !!t.stale;
  }

  /**
   * Asks about the conversations in view: their members (Thread/get), then the senders, keywords and
   * dates of the newest members of those with several (Email/get), and shows "Carol, Dan (2)", bold
   * while any of them is unread. Two small requests after the rows are shown, never before.
   */
  async fetchDetails() {
    if (!this.source || !this.source.collapseThreads) return;
    const [first, last] = this.range();
    const gen = this.generation;
    /** @type {Set<string>} */
    const wanted = new Set();
    for (let pos = first; pos < last; pos++) {
      const e = this.emails.get(this.ids[pos] || '');
      if (e && this.needsThread(e.threadId)) wanted.add(e.threadId);
    }
    if (!wanted.size) return;
    const tids = [...wanted];
    for (const id of tids) this.detailing.add(id);
    try {
      const t = await this.app.jmap.one('Thread/get', { ids: tids });
      if (gen !== this.generation) return;
      this.setThreads(t.list);
      for (const id of t.notFound || []) this.threads.set(id, { emailIds: [] });
      /** @type {Map<string, string[]>} */
      const asked = new Map();
      let n = 0;
      for (const id of tids) {
        const th = this.threads.get(id);
        if (!th) continue;
        if (th.emailIds.length < 2 || n >= MAX_DETAIL) {
          th.stale = false;
          continue;
        }
        const ids = th.emailIds.slice(-Math.min(DETAIL_PER_THREAD, MAX_DETAIL - n));
        asked.set(id, ids);
        n += ids.length;
      }
      this.render();
      if (!asked.size) return;
      const g = await this.app.jmap.one('Email/get', { ids: [...asked.values()].flat(), properties: DETAIL_PROPS });
      if (gen !== this.generation) return;
      const byId = new Map(g.list.map((m) => [m.id, m]));
      const hidden = new Set(['trash', 'junk'].map((r) => this.app.mailboxByRole(r)).filter(Boolean).map((m) => m.id));
      for (const [threadId, ids] of asked) {
        const th = this.threads.get(threadId);
        if (!th) continue;
        const members = ids.map((id) => byId.get(id)).filter(Boolean);
        // A conversation's deleted or junked copies do not make it unread.
        const live = members.filter((m) => Object.keys(m.mailboxIds || {}).some((mb) => !hidden.has(mb)));
        th.detail = {
          names: participants(live.length ? live : members, this.app.jmap.username),
          unread: live.some((m) => !(m.keywords || {}).$seen && !(m.keywords || {}).$draft),
          newest: members.reduce((a, m) => (m.receivedAt > a ? m.receivedAt : a), ''),
        };
        th.stale = false;
      }
      this.render();
    } catch (e) {
      // The rows keep their own sender and state; the next scroll or push asks again.
    } finally {
      if (gen === this.generation) for (const id of tids) this.detailing.delete(id);
    }
  }

  fetchVisible() {
    const [first, last] = this.range();
    if (last <= first) return;
    for (let p = Math.floor(first / PAGE); p <= Math.floor((last - 1) / PAGE); p++) {
      if (!this.pages.has(p)) this.fetchPage(p);
    }
  }

  /** @param {number} page */
  async fetchPage(page) {
    if (this.loading.has(page) || !this.source) return;
    const gen = this.generation;
    const src = this.source;
    this.loading.add(page);
    try {
      const res = await this.app.jmap.call([
        ['Email/query', { filter: src.filter, sort: src.sort, collapseThreads: src.collapseThreads, position: page * PAGE, limit: PAGE, calculateTotal: true }, 'q'],
        ['Email/get', { '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' }, properties: LIST_PROPS }, 'g'],
      ]);
      if (gen !== this.generation) return;
      const [[qn, q], [gn, g]] = res;
      if (qn === 'error' || gn === 'error') throw new Error((qn === 'error' ? q : g).description || (qn === 'error' ? q : g).type);
      for (const e of g.list) this.emails.set(e.id, e);
      if (this.emails.size > 20 * PAGE) this.trimCache();
      this.setTotal(q.total);
      if (this.hooks.onTotal) this.hooks.onTotal(this.total);
      q.ids.forEach((id, i) => { this.ids[q.position + i] = id; });
      if (this.wantActive) {
        const p = this.ids.indexOf(this.wantActive);
        if (p >= 0) {
          this.active = p;
          this.wantActive = null;
        }
      }
      this.pages.add(page);
      this.loaded = true;
      const after = this.afterLoad;
      this.afterLoad = null;
      const noun = src.collapseThreads ? ['conversation', 'conversations'] : ['message', 'messages'];
      this.status.textContent = this.total === 0 ? '' : `${this.total.toLocaleString()} ${noun[this.total === 1 ? 0 : 1]}`;
      this.render();
      this.showEmpty();
      this.hooks.onSelection();
      if (after) after();
    } catch (e) {
      if (gen === this.generation) this.app.toast(`Could not load messages: ${e.message}`, { error: true });
    } finally {
      if (gen === this.generation) this.loading.delete(page);
    }
  }

  /** @param {Array<{id: string, emailIds: string[]}>} list */
  setThreads(list) {
    for (const t of list) {
      const old = this.threads.get(t.id);
      const same = old && old.emailIds.length === t.emailIds.length && old.emailIds.at(-1) === t.emailIds.at(-1);
      // Stale until its details are asked again; the old ones show meanwhile.
      this.threads.set(t.id, { emailIds: t.emailIds, detail: old && old.detail, stale: !same || !!old.stale });
    }
  }

  /** Forgets emails far from the view, so a long scroll through 100,000 rows keeps memory flat. */
  trimCache() {
    const [first, last] = this.range();
    const keep = new Set(this.ids.slice(Math.max(0, first - 5 * PAGE), last + 5 * PAGE));
    for (const id of this.selected) keep.add(id);
    for (const id of this.emails.keys()) if (!keep.has(id)) this.emails.delete(id);
    const threads = new Set([...this.emails.values()].map((e) => e.threadId));
    for (const id of this.threads.keys()) if (!threads.has(id)) this.threads.delete(id);
  }

  /** @param {number} total */
  setTotal(total) {
    if (total === this.total && this.ids.length <= total) return;
    this.total = total;
    if (this.ids.length > total) this.ids.length = total;
    this.spacer.style.height = `${total * this.rowHeight}px`;
  }

  showEmpty() {
    let empty = this.viewport.querySelector('.empty');
    if (this.total === 0 && this.loaded) {
      if (!empty) this.viewport.appendChild(h('p', { class: 'empty', 'data-testid': 'list-empty' }, this.source && this.source.search ? 'No messages match.' : 'No messages here.'));
    } else if (empty) {
      empty.remove();
    }
  }

  createRow() {
    const check = h('input', { type: 'checkbox', class: 'check', 'aria-label': 'Select', tabindex: '-1', 'data-testid': 'row-check' });
    // The star is a mark with a name, and also a mouse target that flags (as Gmail's); the keyboard
    // has "s" and the toolbar's Flag, so the row stays one option with no focusable parts inside.
    const star = h('span', { class: 'mark star', role: 'img', 'data-testid': 'row-flag', dataset: { action: 'flag' } }, icon('star'));
    const clip = h('span', { class: 'mark clip', role: 'img', 'aria-label': 'Has attachment', title: 'Has attachment', 'data-testid': 'row-attachment', hidden: true }, icon('clip'));
    // Hover actions: shortcuts for the mouse only, the toolbar and keys do the same for everyone.
    const act = (action, name, title) => h('span', { class: 'hover-action', title, dataset: { action }, 'data-testid': `row-${action}` }, icon(name));
    const row = h('div', { class: 'row', role: 'option', draggable: 'true', 'data-testid': 'message-row' },
      check,
      h('div', { class: 'cols' },
        h('span', { class: 'who' },
          h('span', { class: 'from', 'data-testid': 'row-from' }),
          h('span', { class: 'count', 'data-testid': 'row-count' })),
        h('span', { class: 'date', 'data-testid': 'row-date' }),
        h('span', { class: 'subject', 'data-testid': 'row-subject' }),
        h('span', { class: 'marks' }, clip, star),
        h('span', { class: 'preview' })),
      h('span', { class: 'hover-actions', 'aria-hidden': 'true' },
        act('archive', 'archive', 'Archive (e)'), act('delete', 'trash', 'Delete (#)'), act('read', 'envelope', 'Mark as read')));
    row.addEventListener('click', (e) => this.onClick(e, row));
    row.addEventListener('dragstart', (e) => this.onDragStart(e, row));
    return row;
  }

  /** @param {HTMLElement} row */
  recycle(row) {
    row.remove();
    this.pool.push(row);
  }

  /** @param {HTMLElement} row @param {number} pos @param {any} e */
  fill(row, pos, e) {
    row.style.transform = `translateY(${pos * this.rowHeight}px)`;
    row.dataset.pos = String(pos);
    row.id = `row-${pos}`;
    row.setAttribute('aria-setsize', String(this.total));
    row.setAttribute('aria-posinset', String(pos + 1));
    const [check, cols, actions] = /** @type {any} */ (row.children);
    const [who, date, subject, marks, preview] = cols.children;
    const [from, count] = who.children;
    const [clip, star] = marks.children;
    if (!e) {
      row.classList.add('placeholder');
      row.classList.remove('unread', 'active');
      row.removeAttribute('data-id');
      row.removeAttribute('data-count');
      row.setAttribute('aria-selected', 'false');
      check.checked = false;
      from.textContent = '…';
      subject.textContent = date.textContent = count.textContent = preview.textContent = '';
      date.removeAttribute('title');
      clip.hidden = star.hidden = true;
      return;
    }
    const kw = e.keywords || {};
    const flagged = !!kw.$flagged;
    const t = this.source && this.source.collapseThreads ? this.threads.get(e.threadId) : undefined;
    const n = t ? t.emailIds.length : 1;
    const d = t && n > 1 ? t.detail : undefined;
    const unread = !kw.$seen || !!(d && d.unread);
    const selected = this.selected.has(e.id);
    row.classList.remove('placeholder');
    row.classList.toggle('unread', unread);
    row.classList.toggle('active', pos === this.active);
    row.dataset.id = e.id;
    row.dataset.unread = String(unread);
    row.dataset.flagged = String(flagged);
    row.dataset.count = String(n);
    row.setAttribute('aria-selected', String(selected));
    check.checked = selected;
    const sent = this.app.mailboxByRole('sent');
    const sender = this.source && sent && this.source.mailboxId === sent.id ? (e.to || [])[0] : (e.from || [])[0];
    from.textContent = d && d.names.length ? senderColumn(d.names) : sender ? (sender.name || sender.email) : '(no sender)';
    count.textContent = n > 1 ? `(${n})` : '';
    const newest = d && d.newest > e.receivedAt ? d.newest : e.receivedAt;
    date.textContent = formatDate(newest);
    if (newest) date.title = new Date(newest).toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'short' });
    subject.textContent = e.subject || '(no subject)';
    clip.hidden = !e.hasAttachment;
    star.hidden = false;
    star.classList.toggle('off', !flagged);
    star.setAttribute('aria-label', flagged ? 'Flagged' : 'Not flagged');
    star.title = flagged ? 'Flagged: click to remove the flag (s)' : 'Flag (s)';
    preview.textContent = e.preview || '';
    const read = actions.lastChild;
    read.dataset.action = unread ? 'read' : 'unread';
    read.title = unread ? 'Mark as read' : 'Mark as unread';
    read.replaceChildren(icon(unread ? 'envelope' : 'open'));
    row.setAttribute('aria-label', `${unread ? 'Unread. ' : ''}${flagged ? 'Flagged. ' : ''}${from.textContent}`
      + `${n > 1 ? `, ${n} messages` : ''}: ${subject.textContent}, ${date.textContent}${e.hasAttachment ? '. Has attachment' : ''}`);
  }

  /** @param {MouseEvent} e @param {HTMLElement} row */
  onClick(e, row) {
    const pos = Number(row.dataset.pos);
    const id = row.dataset.id;
    if (!id) return;
    const action = /** @type {HTMLElement} */ (e.target).closest('[data-action]');
    if (action && this.hooks.onAction) {
      e.stopPropagation();
      this.hooks.onAction(/** @type {HTMLElement} */ (action).dataset.action || '', id);
      return;
    }
    const onCheck = /** @type {HTMLElement} */ (e.target).classList.contains('check');
    if (e.shiftKey && this.anchor >= 0) {
      e.preventDefault();
      this.selectRange(this.anchor, pos);
    } else if (e.ctrlKey || e.metaKey || onCheck) {
      if (this.selected.has(id)) this.selected.delete(id);
      else this.selected.add(id);
      this.anchor = pos;
    } else {
      this.selected.clear();
      this.anchor = pos;
      this.openAt(pos);
      return;
    }
    this.render();
    this.hooks.onSelection();
  }

  /** Selects positions a..b inclusive, fetching ids not loaded yet (up to 5,000). */
  async selectRange(a, b) {
    const lo = Math.min(a, b), hi = Math.min(Math.max(a, b), lo + 4999);
    const gaps = [];
    for (let p = lo; p <= hi; p++) if (!this.ids[p]) gaps.push(p);
    if (gaps.length) {
      const gen = this.generation;
      const src = this.source;
      for (let start = gaps[0]; start <= hi; start += 1000) {
        const q = await this.app.jmap.one('Email/query', { filter: src.filter, sort: src.sort, collapseThreads: src.collapseThreads, position: start, limit: Math.min(1000, hi - start + 1) });
        if (gen !== this.generation) return;
        q.ids.forEach((id, i) => { this.ids[q.position + i] = id; });
      }
    }
    for (let p = lo; p <= hi; p++) if (this.ids[p]) this.selected.add(/** @type {string} */ (this.ids[p]));
    this.render();
    this.hooks.onSelection();
  }

  selectAll(on) {
    if (!on) {
      this.selected.clear();
      this.render();
      this.hooks.onSelection();
    } else {
      this.selectRange(0, this.total - 1);
    }
  }

  /** @param {DragEvent} e @param {HTMLElement} row */
  onDragStart(e, row) {
    const id = row.dataset.id;
    if (!id || !e.dataTransfer) return;
    const ids = this.selected.has(id) ? [...this.selected] : [id];
    e.dataTransfer.setData(DRAG_TYPE, JSON.stringify(ids));
    e.dataTransfer.setData('text/plain', `${ids.length} message(s)`);
    e.dataTransfer.effectAllowed = 'move';
  }

  /** @param {KeyboardEvent} e */
  onKey(e) {
    if (e.target !== this.viewport) return;
    if (e.key === 'ArrowDown') { e.preventDefault(); this.step(1, e.shiftKey); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); this.step(-1, e.shiftKey); }
    else if (e.key === 'Enter' && this.active >= 0) { e.preventDefault(); this.openAt(this.active); }
    else if (e.key === ' ' && this.active >= 0) {
      e.preventDefault();
      const id = this.ids[this.active];
      if (id) {
        if (this.selected.has(id)) this.selected.delete(id);
        else this.selected.add(id);
        this.render();
        this.hooks.onSelection();
      }
    } else if (e.key === 'Home') { e.preventDefault(); this.moveActive(0); }
    else if (e.key === 'End') { e.preventDefault(); this.moveActive(this.total - 1); }
  }

  /** j/k and arrows. @param {number} delta @param {boolean} [extend] */
  step(delta, extend = false) {
    if (!this.loaded) {
      // Pressed before the list arrived (just after a folder or sort change): do it when it has.
      this.afterLoad = () => this.step(delta, extend);
      return;
    }
    const next = Math.max(0, Math.min(this.total - 1, (this.active < 0 ? -1 : this.active) + delta));
    if (extend && this.ids[next]) this.selected.add(/** @type {string} */ (this.ids[next]));
    this.moveActive(next);
  }

  /** Moves the cursor and opens that message, once its row is loaded. @param {number} pos */
  moveActive(pos) {
    if (pos < 0 || pos >= this.total) return;
    this.active = pos;
    this.scrollTo(pos);
    this.viewport.setAttribute('aria-activedescendant', `row-${pos}`);
    const open = () => {
      const id = this.ids[pos];
      if (id && this.emails.has(id)) this.openAt(pos);
      else if (this.active === pos) setTimeout(open, 50);
    };
    open();
  }

  /** @param {number} pos */
  scrollTo(pos) {
    const top = pos * this.rowHeight, vh = this.viewport.clientHeight;
    if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
    else if (top + this.rowHeight > this.viewport.scrollTop + vh) this.viewport.scrollTop = top + this.rowHeight - vh;
    this.render();
  }

  /** @param {number} pos */
  openAt(pos) {
    const id = this.ids[pos];
    const e = id && this.emails.get(id);
    if (!e) return;
    this.active = pos;
    this.viewport.setAttribute('aria-activedescendant', `row-${pos}`);
    this.render();
    this.warmBody(e);
    this.hooks.onOpen(e);
    this.hooks.onSelection();
  }

  /**
   * Starts the server rendering the body (postern-webmail MessageView) while the reader asks for the
   * email: the reader's frame then finds the document rendered, or joins the render under way,
   * instead of starting it one round trip later. The same URL as mail/reader.js's frame.
   * @param {any} e
   */
  warmBody(e) {
    const drafts = this.app.mailboxByRole('drafts');
    if (drafts && e.mailboxIds && e.mailboxIds[drafts.id]) return;
    const from = ((e.from || [])[0] || {}).email || '';
    const senders = this.app.prefs.get('remoteSenders', []);
    const remote = !!from && Array.isArray(senders) && senders.includes(from.toLowerCase());
    const url = `/webmail/message/${encodeURIComponent(this.app.jmap.accountId)}/${encodeURIComponent(e.id)}${remote ? '?remote=1' : ''}`;
    fetch(url, { method: 'HEAD', credentials: 'same-origin' }).catch(() => { /* the frame asks anyway */ });
  }

  /** The ids an action applies to: the selection, else the open message. */
  targets() {
    if (this.selected.size) return [...this.selected];
    const id = this.active >= 0 ? this.ids[this.active] : undefined;
    return id ? [id] : [];
  }

  /** Marks an email as changed locally (instant feedback before the server's answer). */
  patchLocal(id, fn) {
    const e = this.emails.get(id);
    if (e) {
      fn(e);
      this.render();
    }
  }

  /**
   * The ids a row stands for: its conversation's members in the conversation view (at most
   * MAX_DETAIL, the newest), else the row's own email.
   * @param {string} id
   */
  conversation(id) {
    const e = this.emails.get(id);
    const t = e && this.source && this.source.collapseThreads ? this.threads.get(e.threadId) : undefined;
    return t ? t.emailIds.slice(-MAX_DETAIL) : [id];
  }

  /** Instant feedback on a conversation's unread state, until the server's answer. @param {string} id @param {boolean} unread */
  patchThread(id, unread) {
    const e = this.emails.get(id);
    const t = e && this.threads.get(e.threadId);
    if (t && t.detail) {
      t.detail = { ...t.detail, unread };
      t.stale = true;
      this.render();
    }
  }

  /** @param {string} id */
  positionOf(id) {
    return this.ids.indexOf(id);
  }

  /** Marks the open message's row, now or when its page arrives. @param {string|null} id */
  activate(id) {
    const pos = id ? this.positionOf(id) : -1;
    this.wantActive = pos >= 0 ? null : id;
    this.active = pos;
    this.render();
  }

  element() {
    return [this.status, this.viewport];
  }

  /** @param {HTMLElement} host */
  mount(host) {
    replace(host, this.status, this.viewport);
  }
}

/**
 * The sender column of a conversation, as Gmail writes it: one sender in full, several by first
 * name ("Carol, me, Dan"), more than three as the first and the two newest ("Carol … Erin, Dan").
 * @param {string[]} names distinct senders, oldest first
 */
function senderColumn(names) {
  if (names.length === 1) return names[0];
  const first = names.map((n) => (n === 'me' ? n : (n.split(/[\s@]/).find(Boolean) || n).replace(/,$/, '') || n));
  return first.length > 3 ? `${first[0]} … ${first.slice(-2).join(', ')}` : first.join(', ');
}

/**
 * Distinct senders of conversation members, oldest first; "me" for the signed-in user.
 * @param {any[]} members @param {string} me
 */
function participants(members, me) {
  const mine = String(me || '').toLowerCase();
  /** @type {Map<string, string>} */
  const out = new Map();
  for (const m of [...members].sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0))) {
    const a = (m.from || [])[0];
    if (!a) continue;
    const key = String(a.email || a.name || '').toLowerCase();
    if (!out.has(key)) out.set(key, key === mine ? 'me' : (a.name || a.email || '').trim() || key);
  }
  return [...out.values()];
}
