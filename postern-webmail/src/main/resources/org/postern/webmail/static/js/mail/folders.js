// SPDX-License-Identifier: Apache-2.0
/**
 * The folder pane: mailboxes (RFC 8621 §2) as a tree with unread counts, kept current by push,
 * and the drop targets of drag and drop. A folder with subfolders collapses (remembered in the
 * preferences). Create (at the top or inside another), rename, move and delete go through Mailbox/set;
 * the server refuses a move that would make a folder its own ancestor (RFC 8621 §2.5).
 */
import { h, replace, ask, confirmDialog, modal } from '../core/dom.js';

const ROLE_ORDER = ['inbox', 'drafts', 'sent', 'archive', 'junk', 'trash'];
export const DRAG_TYPE = 'application/x-postern-emails';
/** Folder properties of the list; main.js's start-up request asks exactly these to save a round trip. */
export const PROPS = ['id', 'name', 'parentId', 'role', 'sortOrder', 'totalEmails', 'unreadEmails', 'myRights'];
// Asked only in conversation view: the server groups every message of a folder into threads for them
// (12 s for a cold 100,000-message Inbox on the benchmark machine, against 0.6 s without).
const THREAD_PROPS = ['totalThreads', 'unreadThreads'];

export class Folders {
  /**
   * @param {any} app
   * @param {HTMLElement} el
   * @param {(ids: string[], mailboxId: string) => void} onDrop
   */
  constructor(app, el, onDrop) {
    this.app = app;
    this.el = el;
    this.onDrop = onDrop;
    /** @type {string|null} */
    this.current = null;
    this.state = null;
  }

  async load() {
    const threads = !!this.app.prefs.get('threads', false);
    const r = await this.app.jmap.one('Mailbox/get', { ids: null, properties: threads ? [...PROPS, ...THREAD_PROPS] : PROPS });
    this.state = r.state;
    const before = this.app.mailboxByRole('inbox');
    // IMAP names it "INBOX" (RFC 9051 §5.1); people read "Inbox".
    for (const m of r.list) if (m.role === 'inbox' && m.name.toUpperCase() === 'INBOX') m.name = 'Inbox';
    this.app.setMailboxes(sortMailboxes(r.list));
    const after = this.app.mailboxByRole('inbox');
    if (before && after && after.unreadEmails > before.unreadEmails) {
      const n = after.unreadEmails - before.unreadEmails;
      this.app.announce(n === 1 ? 'One new message in Inbox.' : `${n} new messages in Inbox.`);
    }
    this.render();
  }

  /** @param {string|null} id */
  select(id) {
    this.current = id;
    this.render();
  }

  render() {
    const list = this.app.mailboxes();
    const byParent = new Map();
    for (const m of list) {
      const p = list.some((x) => x.id === m.parentId) ? m.parentId : null;
      if (!byParent.has(p)) byParent.set(p, []);
      byParent.get(p).push(m);
    }
    const threads = !!this.app.prefs.get('threads', false);
    const tree = (parent, depth) => {
      const kids = byParent.get(parent) || [];
      if (!kids.length || depth > 20) return null;
      return h('ul', { class: depth ? null : 'folder-list', role: depth ? 'group' : null },
        kids.map((m) => {
          const sub = byParent.has(m.id) ? tree(m.id, depth + 1) : null;
          const open = !collapsed.has(m.id);
          const toggle = sub ? h('button', {
            type: 'button', class: 'folder-toggle', 'data-testid': 'folder-toggle', 'aria-expanded': String(open),
            'aria-label': `${open ? 'Collapse' : 'Expand'} ${m.name}`, onclick: () => this.toggle(m.id),
          }, open ? '▾' : '▸') : null;
          if (sub && !open) sub.hidden = true;
          return h('li', null, h('div', { class: 'folder-row' }, toggle, this.item(m, threads)), sub);
        }));
    };
    const collapsed = new Set(this.collapsed());
    const cur = list.find((m) => m.id === this.current);
    const own = cur && !cur.role;
    replace(this.el,
      h('h2', { class: 'sr-only' }, 'Folders'),
      tree(null, 0),
      h('div', { class: 'folder-actions' },
        h('button', { type: 'button', 'data-testid': 'folder-create', onclick: () => this.create() }, 'New folder'),
        own ? h('button', { type: 'button', 'data-testid': 'folder-rename', onclick: () => this.rename(cur) }, 'Rename') : null,
        own ? h('button', { type: 'button', 'data-testid': 'folder-move', onclick: () => this.move(cur) }, 'Move') : null,
        own ? h('button', { type: 'button', class: 'danger', 'data-testid': 'folder-delete', onclick: () => this.remove(cur) }, 'Delete') : null));
  }

  item(m, threads) {
    const unread = threads && m.unreadThreads !== undefined ? m.unreadThreads : m.unreadEmails;
    const showCount = unread > 0 && m.role !== 'sent' && m.role !== 'drafts';
    const a = h('a', {
      class: 'folder', href: `#/mailbox/${encodeURIComponent(m.id)}`,
      'aria-current': m.id === this.current ? 'page' : null,
      'data-testid': 'folder', 'data-role': m.role || null, 'data-name': m.name,
      'aria-label': showCount ? `${m.name}, ${unread} unread` : m.name,
    },
      h('span', { class: 'name' }, m.name),
      showCount ? h('span', { class: 'count', 'data-testid': 'unread-count', 'aria-hidden': 'true' }, String(unread)) : null);
    a.addEventListener('click', () => this.app.el.root.classList.remove('folders-open'));
    a.addEventListener('dragover', (e) => {
      if (!e.dataTransfer || !e.dataTransfer.types.includes(DRAG_TYPE)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
      a.classList.add('drop-target');
    });
    a.addEventListener('dragleave', () => a.classList.remove('drop-target'));
    a.addEventListener('drop', (e) => {
      a.classList.remove('drop-target');
      let ids = [];
      try {
        ids = JSON.parse(e.dataTransfer.getData(DRAG_TYPE));
      } catch (_) { return; }
      e.preventDefault();
      if (Array.isArray(ids) && ids.length) this.onDrop(ids.filter((x) => typeof x === 'string'), m.id);
    });
    return a;
  }

  /** @returns {string[]} ids of the collapsed folders */
  collapsed() {
    const c = this.app.prefs.get('collapsedFolders', []);
    return Array.isArray(c) ? c.filter((x) => typeof x === 'string') : [];
  }

  /** @param {string} id */
  toggle(id) {
    const c = new Set(this.collapsed());
    if (c.has(id)) c.delete(id);
    else c.add(id);
    const known = new Set(this.app.mailboxes().map((m) => m.id));
    const saved = this.app.prefs.set('collapsedFolders', [...c].filter((x) => known.has(x)));
    this.render();
    saved.catch(() => this.app.toast('Could not save the preference.', { error: true }));
  }

  /**
   * A select of possible parents: the top level and every folder but {@code exclude} and its subfolders.
   * @param {string|null} selected @param {string|null} exclude
   */
  parentSelect(selected, exclude) {
    const all = this.app.mailboxes();
    const banned = new Set(exclude ? [exclude] : []);
    for (let grew = true; grew;) {
      grew = false;
      for (const m of all) if (m.parentId && banned.has(m.parentId) && !banned.has(m.id)) { banned.add(m.id); grew = true; }
    }
    const sel = /** @type {HTMLSelectElement} */ (h('select', { 'data-testid': 'dialog-parent' },
      h('option', { value: '' }, '(top level)'),
      all.filter((m) => !banned.has(m.id)).map((m) => h('option', { value: m.id }, folderPath(m, all)))));
    sel.value = selected || '';
    return sel;
  }

  async create() {
    const input = /** @type {HTMLInputElement} */ (h('input', { type: 'text', required: true, 'data-testid': 'dialog-input', maxlength: 255 }));
    const parent = this.parentSelect(null, null);
    const answer = await new Promise((resolve) => {
      const dlg = modal('New folder', [h('label', { class: 'field' }, 'Name', input), h('label', { class: 'field' }, 'Inside', parent)],
        'Create', () => (input.value.trim() ? { name: input.value.trim(), parentId: parent.value || null } : null), resolve);
      dlg.addEventListener('keydown', (e) => e.stopPropagation());
      input.focus();
    });
    if (!answer) return;
    const { name, parentId } = answer;
    const r = await this.app.jmap.one('Mailbox/set', { create: { n: { name, parentId } } });
    if (r.notCreated) this.app.toast(`Could not create the folder: ${describe(r.notCreated.n)}`, { error: true });
    else this.app.toast(`Folder “${name}” created.`);
    await this.load();
  }

  async rename(m) {
    const name = await ask('Rename folder', 'New name', m.name);
    if (!name || name === m.name) return;
    const r = await this.app.jmap.one('Mailbox/set', { update: { [m.id]: { name } } });
    if (r.notUpdated) this.app.toast(`Could not rename: ${describe(r.notUpdated[m.id])}`, { error: true });
    await this.load();
  }

  /** Moves a folder (with its subfolders) under another, or to the top level. */
  async move(m) {
    const parent = this.parentSelect(m.parentId || null, m.id);
    const answer = await new Promise((resolve) => {
      const dlg = modal(`Move “${m.name}”`, [h('label', { class: 'field' }, 'Inside', parent)], 'Move', () => ({ parentId: parent.value || null }), resolve);
      dlg.addEventListener('keydown', (e) => e.stopPropagation());
      parent.focus();
    });
    if (!answer || answer.parentId === (m.parentId || null)) return;
    const r = await this.app.jmap.one('Mailbox/set', { update: { [m.id]: { parentId: answer.parentId } } });
    if (r.notUpdated) this.app.toast(`Could not move: ${describe(r.notUpdated[m.id])}`, { error: true });
    await this.load();
  }

  async remove(m) {
    if (!(await confirmDialog('Delete folder', `Delete the folder “${m.name}”?`, 'Delete'))) return;
    let r = await this.app.jmap.one('Mailbox/set', { destroy: [m.id] });
    const err = r.notDestroyed && r.notDestroyed[m.id];
    if (err && err.type === 'mailboxHasEmail') {
      if (!(await confirmDialog('Folder not empty', `“${m.name}” contains messages. Delete them too?`, 'Delete all'))) return;
      r = await this.app.jmap.one('Mailbox/set', { destroy: [m.id], onDestroyRemoveEmails: true });
    }
    if (r.notDestroyed && r.notDestroyed[m.id]) {
      this.app.toast(`Could not delete: ${describe(r.notDestroyed[m.id])}`, { error: true });
    } else {
      this.app.toast(`Folder “${m.name}” deleted.`);
      const inbox = this.app.mailboxByRole('inbox');
      if (inbox) this.app.router.go(`/mailbox/${encodeURIComponent(inbox.id)}`);
    }
    await this.load();
  }
}

function describe(err) {
  return (err && (err.description || err.type)) || 'unknown error';
}

/** "Parent/Child": a folder's place in the tree, for pickers. @param {any} m @param {any[]} all */
export function folderPath(m, all) {
  const names = [m.name];
  for (let p = all.find((x) => x.id === m.parentId), n = 0; p && n < 20; p = all.find((x) => x.id === p.parentId), n++) names.unshift(p.name);
  return names.join('/');
}

/** Special folders first in a fixed order, then by sortOrder and name. */
export function sortMailboxes(list) {
  const rank = (m) => {
    const i = ROLE_ORDER.indexOf(m.role);
    return i < 0 ? ROLE_ORDER.length : i;
  };
  return [...list].sort((a, b) => rank(a) - rank(b) || (a.sortOrder || 0) - (b.sortOrder || 0)
    || a.name.localeCompare(b.name));
}
