// SPDX-License-Identifier: Apache-2.0
/**
 * The folder pane: mailboxes (RFC 8621 §2) as a tree with unread counts, kept current by push,
 * and the drop targets of drag and drop. Create, rename and delete go through Mailbox/set.
 */
import { h, replace, ask, confirmDialog } from '../core/dom.js';

const ROLE_ORDER = ['inbox', 'drafts', 'sent', 'archive', 'junk', 'trash'];
export const DRAG_TYPE = 'application/x-postern-emails';
const PROPS = ['id', 'name', 'parentId', 'role', 'sortOrder', 'totalEmails', 'unreadEmails', 'totalThreads', 'unreadThreads', 'myRights'];

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
    const r = await this.app.jmap.one('Mailbox/get', { ids: null, properties: PROPS });
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
        kids.map((m) => h('li', null, this.item(m, threads), tree(m.id, depth + 1))));
    };
    const cur = list.find((m) => m.id === this.current);
    const own = cur && !cur.role;
    replace(this.el,
      h('h2', { class: 'sr-only' }, 'Folders'),
      tree(null, 0),
      h('div', { class: 'folder-actions' },
        h('button', { type: 'button', 'data-testid': 'folder-create', onclick: () => this.create() }, 'New folder'),
        own ? h('button', { type: 'button', 'data-testid': 'folder-rename', onclick: () => this.rename(cur) }, 'Rename') : null,
        own ? h('button', { type: 'button', class: 'danger', 'data-testid': 'folder-delete', onclick: () => this.remove(cur) }, 'Delete') : null));
  }

  item(m, threads) {
    const unread = threads ? m.unreadThreads : m.unreadEmails;
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

  async create() {
    const name = await ask('New folder', 'Name');
    if (!name) return;
    const parentId = null;
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

/** Special folders first in a fixed order, then by sortOrder and name. */
export function sortMailboxes(list) {
  const rank = (m) => {
    const i = ROLE_ORDER.indexOf(m.role);
    return i < 0 ? ROLE_ORDER.length : i;
  };
  return [...list].sort((a, b) => rank(a) - rank(b) || (a.sortOrder || 0) - (b.sortOrder || 0)
    || a.name.localeCompare(b.name));
}
