// SPDX-License-Identifier: Apache-2.0
/**
 * What the user does to messages, as Email/set and Mailbox/set calls (RFC 8621 §4.6, §2.5).
 * Large selections go in chunks of the server's maxObjectsInSet (RFC 8620 §2).
 */
import { CORE } from '../core/jmap.js';

export class MailActions {
  /** @param {any} app */
  constructor(app) {
    this.app = app;
    /** Called after every change, so lists and counts refresh without waiting for push. */
    this.onChanged = () => {};
  }

  get chunk() {
    const c = this.app.jmap.session.capabilities[CORE];
    return Math.max(1, Math.min(500, (c && c.maxObjectsInSet) || 100));
  }

  /** Email/set update of many emails with one patch; failures are reported, not thrown. */
  async update(ids, patch) {
    let failed = 0;
    for (let i = 0; i < ids.length; i += this.chunk) {
      const update = {};
      for (const id of ids.slice(i, i + this.chunk)) update[id] = patch;
      const r = await this.app.jmap.one('Email/set', { update });
      failed += Object.keys(r.notUpdated || {}).length;
    }
    this.onChanged();
    if (failed) this.app.toast(`${failed} message(s) could not be changed.`, { error: true });
  }

  /** @param {string[]} ids @param {string} keyword @param {boolean} on */
  setKeyword(ids, keyword, on) {
    return this.update(ids, { ['keywords/' + keyword]: on ? true : null });
  }

  /** Moves to exactly one mailbox. @param {string[]} ids @param {string} mailboxId */
  async move(ids, mailboxId, quiet = false) {
    if (!ids.length) return;
    await this.update(ids, { mailboxIds: { [mailboxId]: true } });
    const m = this.app.mailboxes().find((x) => x.id === mailboxId);
    if (!quiet) this.app.toast(`${ids.length === 1 ? 'Message' : ids.length + ' messages'} moved to ${m ? m.name : 'folder'}.`);
  }

  /** The mailbox with a role, created (named after the role) when missing. @param {string} role @param {string} name */
  async ensureRole(role, name) {
    const found = this.app.mailboxByRole(role) || this.app.mailboxes().find((m) => m.name.toLowerCase() === name.toLowerCase() && !m.parentId);
    if (found) return found.id;
    const r = await this.app.jmap.one('Mailbox/set', { create: { n: { name, parentId: null, role } } });
    if (r.created && r.created.n) return r.created.n.id;
    const retry = await this.app.jmap.one('Mailbox/set', { create: { n: { name, parentId: null } } });
    if (retry.created && retry.created.n) return retry.created.n.id;
    throw new Error(`cannot create the ${name} folder`);
  }

  async archive(ids) {
    if (!ids.length) return;
    await this.move(ids, await this.ensureRole('archive', 'Archive'), true);
    this.app.toast(ids.length === 1 ? 'Archived.' : `${ids.length} messages archived.`);
  }

  /** To Trash; in Trash itself, gone for good. @param {string[]} ids @param {string|null} currentMailboxId */
  async remove(ids, currentMailboxId) {
    if (!ids.length) return;
    const trash = this.app.mailboxByRole('trash');
    if (trash && currentMailboxId === trash.id) {
      await this.destroy(ids);
      this.app.toast(ids.length === 1 ? 'Message deleted for good.' : `${ids.length} messages deleted for good.`);
      return;
    }
    await this.move(ids, await this.ensureRole('trash', 'Trash'), true);
    this.app.toast(ids.length === 1 ? 'Moved to Trash.' : `${ids.length} messages moved to Trash.`);
  }

  async destroy(ids) {
    for (let i = 0; i < ids.length; i += this.chunk) {
      await this.app.jmap.one('Email/set', { destroy: ids.slice(i, i + this.chunk) });
    }
    this.onChanged();
  }

  /** Junk: to the Junk folder with $junk; not junk: to the Inbox with $notjunk (RFC 8621 §4.1.1 keywords). */
  async junk(ids, isJunk) {
    if (!ids.length) return;
    const target = isJunk ? await this.ensureRole('junk', 'Junk') : this.app.mailboxByRole('inbox').id;
    await this.update(ids, {
      mailboxIds: { [target]: true },
      'keywords/$junk': isJunk ? true : null,
      'keywords/$notjunk': isJunk ? null : true,
    });
    this.app.toast(isJunk ? 'Marked as junk.' : 'Marked as not junk, moved to Inbox.');
  }

  /** Destroys every email in a mailbox, a window at a time. @param {string} mailboxId */
  async empty(mailboxId) {
    let total = 0;
    for (let round = 0; round < 10000; round++) {
      const r = await this.app.jmap.one('Email/query', { filter: { inMailbox: mailboxId }, limit: this.chunk });
      if (!r.ids.length) break;
      await this.app.jmap.one('Email/set', { destroy: r.ids });
      total += r.ids.length;
    }
    this.onChanged();
    this.app.toast(`${total} message(s) deleted for good.`);
  }
}
