// SPDX-License-Identifier: Apache-2.0
/**
 * The mail feature: routes "/" and "/mailbox/:id[/:email]", the folder pane, the message list and
 * the reading pane with their toolbars, push updates and the reading shortcuts.
 */
import { h, replace, confirmDialog } from '../core/dom.js';
import { Folders, folderPath } from './folders.js';
import { MessageList } from './list.js';
import { Reader } from './reader.js';
import { MailActions } from './actions.js';
import { describeQuery } from '../search/query.js';

export const SORTS = {
  'date-desc': { label: 'Newest first', sort: [{ property: 'receivedAt', isAscending: false }] },
  'date-asc': { label: 'Oldest first', sort: [{ property: 'receivedAt', isAscending: true }] },
  from: { label: 'Sender', sort: [{ property: 'from', isAscending: true }, { property: 'receivedAt', isAscending: false }] },
  subject: { label: 'Subject', sort: [{ property: 'subject', isAscending: true }, { property: 'receivedAt', isAscending: false }] },
  'size-desc': { label: 'Largest first', sort: [{ property: 'size', isAscending: false }] },
};

/** @param {any} app */
export function registerMail(app) {
  const actions = new MailActions(app);
  const folders = new Folders(app, app.el.folders, (ids, mailboxId) => run(() => actions.move(ids, mailboxId), ids, true));
  const list = new MessageList(app, {
    onOpen: (e) => openFromList(e), onSelection: () => updateToolbar(), onAction: (kind, id) => rowAction(kind, id), onTotal: (n) => showTotal(n),
  });
  const readerBar = h('div', { class: 'toolbar reader-toolbar', role: 'toolbar', 'aria-label': 'Message actions' });
  const reader = new Reader(app, app.el.reader, readerBar);
  /** @type {any} */
  let source = null;
  /**
   * Ids this view moved away, until the view changes: the list's refresh after an action can lag
   * behind the next one (a quick second archive), and auto-advance must not open what already left.
   * @type {Set<string>}
   */
  const departed = new Set();

  app.mail = { actions, folders, list, reader, show, currentSource: () => source, sort: currentSort };
  app.ready = folders.load().catch((e) => app.toast(`Could not load folders: ${e.message}`, { error: true }));

  // ---- list toolbar
  const title = h('h2', { 'data-testid': 'list-title' });
  // Search results: the filters as removable chips and the number of results (Gmail's search header).
  const chips = h('div', { class: 'chips', role: 'group', 'aria-label': 'Search filters', 'data-testid': 'search-chips' });
  const resultCount = h('span', { class: 'result-count muted', 'data-testid': 'result-count' });
  const summary = h('div', { class: 'search-summary', hidden: true, 'data-testid': 'search-summary' }, chips, resultCount);
  const selectAll = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', 'aria-label': 'Select all', 'data-testid': 'select-all' }));
  selectAll.addEventListener('change', () => list.selectAll(selectAll.checked));
  const count = h('span', { class: 'muted', 'data-testid': 'selection-count' });
  const btn = (label, testid, fn, extra = {}) => h('button', { type: 'button', 'data-testid': testid, onclick: fn, ...extra }, label);
  const targets = () => list.targets();
  const markRead = btn('Read', 'action-read', () => run(() => actions.setKeyword(targets(), '$seen', true)), { title: 'Mark as read' });
  const markUnread = btn('Unread', 'action-unread', () => run(() => actions.setKeyword(targets(), '$seen', false)), { title: 'Mark as unread' });
  const flag = btn('★ Flag', 'action-flag', () => toggleFlag(targets()), { title: 'Flag or unflag' });
  const archive = btn('Archive', 'action-archive', () => doArchive(targets()), { title: 'Archive (e)' });
  const del = btn('Delete', 'action-delete', () => doDelete(targets()), { title: 'Delete (#)', class: 'danger' });
  const junk = btn('Junk', 'action-junk', () => run(() => actions.junk(targets(), true), targets(), true), { title: 'This is junk' });
  const notJunk = btn('Not junk', 'action-notjunk', () => run(() => actions.junk(targets(), false), targets(), true), { title: 'This is not junk' });
  const move = /** @type {HTMLSelectElement} */ (h('select', { 'aria-label': 'Move to folder', 'data-testid': 'action-move' }));
  move.addEventListener('change', () => {
    const to = move.value;
    move.value = '';
    const ids = targets();
    if (to && ids.length) run(() => actions.move(ids, to), ids, true);
  });
  const empty = btn('Empty', 'empty-folder', () => emptyFolder(), { class: 'danger' });
  const sortSel = /** @type {HTMLSelectElement} */ (h('select', { 'aria-label': 'Sort by', 'data-testid': 'sort-select' },
    Object.entries(SORTS).map(([k, v]) => h('option', { value: k }, v.label))));
  sortSel.value = currentSort();
  // The preference is cached at once (the server's copy follows), so the list changes without waiting.
  sortSel.addEventListener('change', () => {
    const saved = app.prefs.set('sort', sortSel.value);
    reshow();
    saved.catch(() => app.toast('Could not save the sort order.', { error: true }));
  });
  const threads = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', 'data-testid': 'threads-toggle', checked: !!app.prefs.get('threads', false) }));
  threads.addEventListener('change', () => {
    const saved = app.prefs.set('threads', threads.checked);
    folders.load().catch(() => {});
    reshow();
    saved.catch(() => app.toast('Could not save the preference.', { error: true }));
  });
  const listBar = h('div', { class: 'list-toolbar' },
    h('div', { class: 'toolbar' }, selectAll, title, count, empty,
      h('label', { class: 'field inline' }, h('span', { class: 'sr-only' }, 'Sort'), sortSel),
      h('label', { class: 'field inline', title: 'Group messages into conversations' }, threads, 'Threads')),
    summary,
    h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Actions on selected messages' },
      markRead, markUnread, flag, archive, del, junk, notJunk, move));
  replace(app.el.list, listBar, ...list.element());

  // ---- reader toolbar
  const back = btn('← Back', 'reader-back', () => app.router.go(source ? source.path : '/'), { class: 'back-button' });
  const compose = (mode) => reader.email && app.openCompose({ mode, emailId: reader.email.id, email: reader.email });
  replace(readerBar, back,
    btn('Reply', 'reply', () => compose('reply'), { title: 'Reply (r)' }),
    btn('Reply all', 'reply-all', () => compose('replyAll'), { title: 'Reply all (a)' }),
    btn('Forward', 'forward', () => compose('forward'), { title: 'Forward (f)' }),
    btn('As attachment', 'forward-attachment', () => compose('forwardAttachment'), { title: 'Forward as attachment' }),
    btn('Archive', 'reader-archive', () => reader.email && doArchive([reader.email.id])),
    btn('Delete', 'reader-delete', () => reader.email && doDelete([reader.email.id]), { class: 'danger' }),
    btn('★ Flag', 'reader-flag', () => reader.email && toggleFlag([reader.email.id])),
    btn('Unread', 'reader-unread', () => reader.email && run(async () => {
      await actions.setKeyword([reader.email.id], '$seen', false);
      app.router.go(source ? source.path : '/');
    })),
    btn('Junk', 'reader-junk', () => reader.email && run(() => actions.junk([reader.email.id], true), [reader.email.id], true)));

  actions.onChanged = () => {
    list.refresh();
    folders.load().catch(() => {});
  };
  app.onStateChange((changed) => {
    if (changed.Mailbox && changed.Mailbox !== folders.state) folders.load().catch(() => {});
    if (changed.Email) list.refresh();
  });
  app.onMailboxes(() => {
    fillMoveTargets();
    if (source && source.mailboxId && !source.search) showTitle({ ...source, title: mailboxName(source.mailboxId) });
    if (source && !reader.email) setTitle(source.title);
  });

  // ---- routes
  app.router.route('/', () => {
    const inbox = app.mailboxByRole('inbox') || app.mailboxes()[0];
    if (inbox) app.router.go(`/mailbox/${encodeURIComponent(inbox.id)}`, { replace: true });
  });
  app.router.otherwise(() => app.router.go('/', { replace: true }));
  app.router.route('/mailbox/:id', (p) => showMailbox(p.id, null));
  app.router.route('/mailbox/:id/:email', (p) => showMailbox(p.id, p.email));

  // ---- shortcuts
  const k = app.keys;
  k.bind('j', 'Next message', () => list.step(1));
  k.bind('k', 'Previous message', () => list.step(-1));
  k.bind('r', 'Reply', () => compose('reply'));
  k.bind('a', 'Reply all', () => compose('replyAll'));
  k.bind('f', 'Forward', () => compose('forward'));
  k.bind('c', 'New message', () => app.openCompose({ mode: 'new' }));
  k.bind('#', 'Delete', () => doDelete(targets()));
  k.bind('e', 'Archive', () => doArchive(targets()));
  k.bind('s', 'Flag or unflag', () => toggleFlag(targets()));
  k.bind('u', 'Back to the list', () => app.router.go(source ? source.path : '/'));
  k.bind('x', 'Select the current message', () => {
    const id = list.active >= 0 ? list.ids[list.active] : null;
    if (!id) return;
    if (list.selected.has(id)) list.selected.delete(id);
    else list.selected.add(id);
    list.render();
    updateToolbar();
  });

  function currentSort() {
    const s = app.prefs.get('sort', 'date-desc');
    return Object.prototype.hasOwnProperty.call(SORTS, s) ? s : 'date-desc';
  }

  /** @param {string} id */
  function mailboxName(id) {
    const m = app.mailboxes().find((x) => x.id === id);
    return m ? m.name : 'Folder';
  }

  /** A mailbox by id, or by role name ("#/mailbox/inbox") for bookmarks. @param {string} id */
  function resolve(id) {
    const all = app.mailboxes();
    return all.find((m) => m.id === id) || all.find((m) => m.role === id) || null;
  }

  function showMailbox(id, emailId) {
    const m = resolve(id);
    if (!m) {
      app.router.go('/', { replace: true });
      return;
    }
    folders.select(m.id);
    const base = `/mailbox/${encodeURIComponent(m.id)}`;
    show({
      filter: { inMailbox: m.id },
      sort: SORTS[currentSort()].sort,
      collapseThreads: !!app.prefs.get('threads', false),
      title: m.name,
      mailboxId: m.id,
      path: base,
      openPath: base + '/',
    }, emailId);
  }

  /**
   * Shows a list (a folder or search results) and optionally one message of it.
   * @param {any} src {filter, sort, collapseThreads, title, mailboxId, path, openPath, search?}
   * @param {string|null} emailId
   */
  function show(src, emailId) {
    if (!source || source.path !== src.path) departed.clear();
    source = src;
    app.setMode(emailId ? 'reader' : 'list');
    showTitle(src);
    setTitle(src.title);
    list.setSource({ filter: src.filter, sort: src.sort, collapseThreads: src.collapseThreads, title: src.title, mailboxId: src.mailboxId, search: src.search });
    // The same results shown again (a message of them opened or closed): their count stands.
    if (list.loaded) showTotal(list.total);
    const mb = src.mailboxId ? app.mailboxes().find((x) => x.id === src.mailboxId) : null;
    empty.hidden = !(mb && (mb.role === 'trash' || mb.role === 'junk'));
    junk.hidden = !!(mb && mb.role === 'junk');
    notJunk.hidden = !(mb && mb.role === 'junk');
    sortSel.value = currentSort();
    threads.checked = !!app.prefs.get('threads', false);
    if (emailId) {
      list.activate(emailId);
      if (!reader.email || reader.email.id !== emailId) reader.open(emailId, src.collapseThreads);
    } else {
      reader.clear();
    }
    updateToolbar();
  }

  /**
   * The list's heading. A search shows its scope and its whole free text (wrapped, clamped by CSS,
   * the full query in the tooltip), its filters as chips that each remove themselves, and the count.
   * @param {any} src
   */
  function showTitle(src) {
    summary.hidden = !src.search;
    if (!src.search) {
      title.textContent = src.title;
      title.removeAttribute('title');
      title.classList.remove('search-title');
      return;
    }
    const d = describeQuery(src.search);
    title.classList.add('search-title');
    title.title = `${src.scope || 'Search'}: ${src.search}`;
    replace(title, h('span', { class: 'scope' }, d.text ? `${src.scope || 'Search'}: ` : src.scope || 'Search'),
      d.text ? h('span', { class: 'query', 'data-testid': 'search-query' }, d.text) : null);
    replace(chips, d.chips.map((c) => h('button', {
      type: 'button', class: 'chip', title: `Remove “${c.label}”`, 'aria-label': `Remove filter ${c.label}`, 'data-testid': 'search-chip',
      onclick: () => app.router.go(c.without.trim() ? src.searchPath(c.without) : src.scopePath),
    }, c.label, h('span', { class: 'chip-x', 'aria-hidden': 'true' }, '×'))));
    resultCount.textContent = '';
  }

  /** "12 results" under a search's heading, once the server counted them. @param {number} n */
  function showTotal(n) {
    if (source && source.search) resultCount.textContent = `${n.toLocaleString()} ${n === 1 ? 'result' : 'results'}`;
  }

  /**
   * A row's hover action (list.js): the same as the toolbar's, for that row. Read/unread applies to
   * the whole conversation in the conversation view, as the row stands for it.
   * @param {string} kind @param {string} id
   */
  function rowAction(kind, id) {
    if (kind === 'flag') toggleFlag([id]);
    else if (kind === 'archive') doArchive([id]);
    else if (kind === 'delete') doDelete([id]);
    else if (kind === 'read' || kind === 'unread') {
      const on = kind === 'read';
      const ids = list.conversation(id);
      for (const x of ids) list.patchLocal(x, (e) => { e.keywords = { ...(e.keywords || {}), $seen: on || undefined }; });
      list.patchThread(id, !on);
      run(() => actions.setKeyword(ids, '$seen', on));
    }
  }

  /** Shows the current route again (after a sort or view change). */
  /** "(3) Inbox · Postern": the Inbox's unread count shows in the tab. @param {string} what */
  function setTitle(what) {
    const inbox = app.mailboxByRole('inbox');
    const n = inbox ? inbox.unreadEmails : 0;
    document.title = `${n > 0 ? `(${n}) ` : ''}${what} · Postern`;
  }

  function reshow() {
    app.router.dispatch();
  }

  function openFromList(e) {
    if (!source) return;
    const drafts = app.mailboxByRole('drafts');
    if (drafts && e.mailboxIds && e.mailboxIds[drafts.id]) {
      // A draft opens where it can be finished.
      app.openCompose({ mode: 'draft', emailId: e.id, email: e });
      return;
    }
    app.router.go(source.openPath + encodeURIComponent(e.id));
  }

  function fillMoveTargets() {
    replace(move, h('option', { value: '' }, 'Move to…'),
      app.mailboxes().map((m, _, all) => h('option', { value: m.id }, folderPath(m, all))));
  }

  function updateToolbar() {
    const n = list.selected.size;
    count.textContent = n ? `${n} selected` : '';
    const has = targets().length > 0;
    for (const b of [markRead, markUnread, flag, archive, del, junk, notJunk, move]) /** @type {any} */ (b).disabled = !has;
    selectAll.checked = n > 0 && n >= list.total;
    selectAll.indeterminate = n > 0 && n < list.total;
  }

  /**
   * Runs an action; when it took the open message away, back to the list, or with {@code advance}
   * (move, archive, delete, junk: Gmail's and Fastmail's auto-advance) to the next message of the
   * list: the one below, else the one above, else the list.
   */
  async function run(fn, removedIds = [], advance = false) {
    const open = reader.email && removedIds.includes(reader.email.id) ? reader.email.id : null;
    const next = open && advance ? neighbour(open, new Set(removedIds)) : null;
    try {
      await fn();
      if (departed.size > 10000) departed.clear();
      for (const id of removedIds) departed.add(id);
      if (open && source && reader.email && reader.email.id === open) {
        list.selected.clear();
        app.router.go(next ? source.openPath + encodeURIComponent(next) : source.path);
      }
    } catch (e) {
      app.toast(`Failed: ${e.message}`, { error: true });
    }
  }

  /** The loaded row nearest below (else above) the open message that survives the action. @param {string} id @param {Set<string>} gone */
  function neighbour(id, gone) {
    const pos = list.positionOf(id);
    if (pos < 0) return null;
    for (const dir of [1, -1]) {
      for (let p = pos + dir; p >= 0 && p < list.ids.length; p += dir) {
        const candidate = list.ids[p];
        if (!candidate) break;
        if (!gone.has(candidate) && !departed.has(candidate)) return candidate;
      }
    }
    return null;
  }

  function toggleFlag(ids) {
    if (!ids.length) return;
    const first = list.emails.get(ids[0]) || (reader.email && reader.email.id === ids[0] ? reader.email : null);
    const on = !(first && first.keywords && first.keywords.$flagged);
    for (const id of ids) list.patchLocal(id, (e) => { e.keywords = { ...(e.keywords || {}), $flagged: on || undefined }; });
    if (reader.email && ids.includes(reader.email.id)) reader.email.keywords = { ...(reader.email.keywords || {}), $flagged: on || undefined };
    run(() => actions.setKeyword(ids, '$flagged', on));
    app.toast(on ? 'Flagged.' : 'Flag removed.');
  }

  function doArchive(ids) {
    if (ids.length) run(() => actions.archive(ids), ids, true);
  }

  function doDelete(ids) {
    if (ids.length) run(() => actions.remove(ids, source ? source.mailboxId : null), ids, true);
  }

  async function emptyFolder() {
    if (!source || !source.mailboxId) return;
    const name = mailboxName(source.mailboxId);
    if (!(await confirmDialog(`Empty ${name}`, `Delete every message in ${name} for good? This cannot be undone.`, 'Empty'))) return;
    run(() => actions.empty(source.mailboxId));
  }
}
