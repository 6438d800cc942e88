// SPDX-License-Identifier: Apache-2.0
/**
 * The compose window (non-modal, bottom right on a desktop, full screen on a phone, as in Gmail):
 * From (identity), To/Cc/Bcc with autocomplete, Subject, the editor, attachments. Every change
 * schedules a draft save (debounced; saves are serialized, each replaces the previous copy); Send
 * waits for running uploads and saves, then submits. Closing the window keeps the draft; Discard
 * deletes it.
 */
import { h, confirmDialog } from '../core/dom.js';
import { Editor } from './editor.js';
import { Attachments } from './attachments.js';
import { recipientField } from './autocomplete.js';
import { parseAddressList, formatAddressList } from './addresses.js';
import { Outbox, describe } from './outbox.js';
import { startFrom } from './quote.js';
import { fragmentFromHtml } from './sanitize.js';

/** Quiet time after the last keystroke before a draft is saved. */
export const DRAFT_DELAY_MS = 2000;

/**
 * @typedef {{mode?: 'new'|'reply'|'replyAll'|'forward'|'forwardAttachment'|'draft', emailId?: string,
 *   to?: string, cc?: string, bcc?: string, subject?: string, body?: string}} ComposeOptions
 */

export class Composer {
  /**
   * @param {any} app @param {Outbox} outbox @param {import('./addresses.js').Correspondents} people
   * @param {ComposeOptions} opts @param {() => void} onClosed
   */
  constructor(app, outbox, people, opts, onClosed) {
    this.app = app;
    this.outbox = outbox;
    this.people = people;
    this.opts = opts;
    this.onClosed = onClosed;
    /** @type {string|null} id of the latest saved draft */
    this.draftId = null;
    /** @type {Promise<void>} saves run one after another */
    this.saving = Promise.resolve();
    this.timer = 0;
    this.dirty = false;
    this.closed = false;
    this.sending = false;
    /** @type {any[]} */
    this.identities = [];
    /** @type {string[]|null} */
    this.inReplyTo = null;
    /** @type {string[]|null} */
    this.references = null;
    /** @type {{id: string, keyword: string}|null} */
    this.mark = null;

    const changed = () => this.changed();
    this.from = /** @type {HTMLSelectElement} */ (h('select', { id: 'compose-from', 'data-testid': 'compose-from',
      onchange: () => {
        this.editor.setSignature(this.signature());
        changed();
      } }));
    this.to = recipientField({ label: 'To', testid: 'compose-to', source: people, onChange: changed });
    this.cc = recipientField({ label: 'Cc', testid: 'compose-cc', source: people, onChange: changed });
    this.bcc = recipientField({ label: 'Bcc', testid: 'compose-bcc', source: people, onChange: changed });
    this.cc.el.hidden = true;
    this.bcc.el.hidden = true;
    this.subject = /** @type {HTMLInputElement} */ (h('input', { type: 'text', id: 'compose-subject', maxlength: 998,
      'data-testid': 'compose-subject', oninput: () => {
        this.title.textContent = this.subject.value || 'New message';
        changed();
      } }));
    this.editor = new Editor({ rich: app.prefs?.get?.('composeRich', true) !== false, onChange: changed,
      onModeChange: (rich) => Promise.resolve(app.prefs?.set?.('composeRich', rich)).catch(() => {}) });
    this.attachments = new Attachments(app.jmap, changed, (m) => app.toast(m));
    this.status = h('span', { class: 'compose-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'compose-status' });
    this.title = h('h2', { class: 'compose-title' }, 'New message');
    this.sendButton = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary', 'data-testid': 'compose-send' }, 'Send'));

    const form = h('form', { class: 'compose-form', onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      this.send();
    } },
    h('div', { class: 'compose-field' }, h('label', { for: 'compose-from' }, 'From'), this.from),
    h('div', { class: 'compose-recipients' }, this.to.el,
      h('span', { class: 'compose-toggles' },
        h('button', { type: 'button', class: 'link', 'data-testid': 'compose-show-cc', onclick: (/** @type {Event} */ e) => {
          this.cc.el.hidden = false;
          /** @type {HTMLElement} */ (e.currentTarget).hidden = true;
          this.cc.input.focus();
        } }, 'Cc'),
        h('button', { type: 'button', class: 'link', 'data-testid': 'compose-show-bcc', onclick: (/** @type {Event} */ e) => {
          this.bcc.el.hidden = false;
          /** @type {HTMLElement} */ (e.currentTarget).hidden = true;
          this.bcc.input.focus();
        } }, 'Bcc'))),
    this.cc.el, this.bcc.el,
    h('div', { class: 'compose-field' }, h('label', { for: 'compose-subject' }, 'Subject'), this.subject),
    this.editor.el,
    this.attachments.el,
    h('div', { class: 'compose-actions' },
      this.sendButton,
      h('button', { type: 'button', 'data-testid': 'compose-attach', onclick: () => this.attachments.picker.click() }, 'Attach'),
      this.attachments.picker,
      this.status,
      h('button', { type: 'button', class: 'danger', 'data-testid': 'compose-discard', onclick: () => this.discard() }, 'Discard')));

    this.el = h('section', { class: 'compose', role: 'dialog', 'aria-labelledby': 'compose-title', 'data-testid': 'compose',
      dataset: { state: 'loading' } },
      h('header', { class: 'compose-head' },
        this.title,
        h('button', { type: 'button', class: 'icon', 'aria-label': 'Minimize', title: 'Minimize', 'data-testid': 'compose-minimize',
          onclick: () => this.el.classList.toggle('minimized') }, '_'),
        h('button', { type: 'button', class: 'icon', 'aria-label': 'Close (draft is kept)', title: 'Close (draft is kept)',
          'data-testid': 'compose-close', onclick: () => this.close() }, '×')),
      form);
    this.title.id = 'compose-title';

    this.el.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
        e.preventDefault();
        this.send();
      } else if (e.key === 'Escape' && !e.defaultPrevented && !document.querySelector('dialog[open]')) {
        e.preventDefault();
        this.close();
      }
      // Shortcuts of the mail view must not fire while writing.
      e.stopPropagation();
    });
    this.el.addEventListener('dragover', (e) => {
      if (e.dataTransfer && [...e.dataTransfer.types].includes('Files')) {
        e.preventDefault();
        this.el.classList.add('dropping');
      }
    });
    this.el.addEventListener('dragleave', (e) => {
      if (!this.el.contains(/** @type {Node|null} */ (e.relatedTarget))) this.el.classList.remove('dropping');
    });
    this.el.addEventListener('drop', (e) => {
      this.el.classList.remove('dropping');
      if (e.dataTransfer && e.dataTransfer.files.length) {
        e.preventDefault();
        this.attachments.addFiles(e.dataTransfer.files);
      }
    });
    this.editor.area.addEventListener('paste', (e) => {
      if (e.clipboardData && e.clipboardData.files.length) {
        e.preventDefault();
        this.attachments.addFiles(e.clipboardData.files);
      }
    });
    window.addEventListener('beforeunload', this.unloadGuard = () => {
      if (this.dirty) this.saveNow();
    });
  }

  /** Fills the window from the options (reply, forward, draft...). */
  async start() {
    this.status.textContent = 'Loading…';
    this.identities = await this.outbox.identities(true).catch(() => []);
    for (const i of this.identities) {
      this.from.appendChild(h('option', { value: i.id }, i.name ? `${i.name} <${i.email}>` : i.email));
    }
    this.from.disabled = this.identities.length < 2;
    const o = this.opts;
    const own = this.identities.map((i) => String(i.email).toLowerCase());
    try {
      if (o.mode === 'draft' && o.emailId) {
        await this.loadDraft(o.emailId);
      } else if (o.mode && o.mode !== 'new' && o.emailId) {
        const original = await this.outbox.original(o.emailId);
        // Answer from the identity the original was addressed to, if it is one of ours.
        const addressed = [...(original.to ?? []), ...(original.cc ?? [])].map((a) => String(a.email).toLowerCase());
        const match = this.identities.find((i) => addressed.includes(String(i.email).toLowerCase()));
        if (match) this.from.value = match.id;
        const s = await startFrom(o.mode, original, own, this.app.jmap);
        this.to.input.value = formatAddressList(s.to) + (s.to.length ? ', ' : '');
        if (s.cc.length) {
          this.cc.input.value = formatAddressList(s.cc);
          this.cc.el.hidden = false;
        }
        this.subject.value = s.subject;
        this.inReplyTo = s.inReplyTo;
        this.references = s.references;
        this.mark = s.mark;
        for (const a of s.attachments) this.attachments.addExisting(a);
        this.editor.setContent({ text: '', signature: this.signature(), quote: s.quote });
      } else {
        this.to.input.value = o.to ?? '';
        this.cc.input.value = o.cc ?? '';
        this.bcc.input.value = o.bcc ?? '';
        if (o.cc) this.cc.el.hidden = false;
        if (o.bcc) this.bcc.el.hidden = false;
        this.subject.value = o.subject ?? '';
        this.editor.setContent({ text: o.body ?? '', signature: this.signature() });
      }
      this.status.textContent = '';
    } catch (e) {
      this.status.textContent = `Could not load: ${/** @type {Error} */ (e).message}`;
      this.editor.setContent({ text: '', signature: this.signature() });
    }
    this.title.textContent = this.subject.value || 'New message';
    this.dirty = false;
    this.el.dataset.state = 'ready';
    if (this.to.input.value.trim() === '' || o.mode === 'forward' || o.mode === 'forwardAttachment') this.to.input.focus();
    else this.editor.focus();
  }

  /** @param {string} id */
  async loadDraft(id) {
    const d = await this.outbox.draft(id);
    this.draftId = id;
    const fromEmail = d.from && d.from[0] ? String(d.from[0].email).toLowerCase() : '';
    const match = this.identities.find((i) => String(i.email).toLowerCase() === fromEmail);
    if (match) this.from.value = match.id;
    this.to.input.value = formatAddressList(d.to);
    this.cc.input.value = formatAddressList(d.cc);
    this.bcc.input.value = formatAddressList(d.bcc);
    if (d.cc && d.cc.length) this.cc.el.hidden = false;
    if (d.bcc && d.bcc.length) this.bcc.el.hidden = false;
    this.subject.value = d.subject ?? '';
    this.inReplyTo = d.inReplyTo ?? null;
    this.references = d.references ?? null;
    for (const a of d.attachments ?? []) {
      if (a.blobId) this.attachments.addExisting({ blobId: a.blobId, type: a.type, name: a.name || 'attachment', size: a.size ?? 0 });
    }
    const htmlPart = (d.htmlBody ?? []).find((/** @type {any} */ p) => String(p.type).toLowerCase() === 'text/html');
    const textPart = (d.textBody ?? []).find((/** @type {any} */ p) => String(p.type).toLowerCase() === 'text/plain');
    const value = (/** @type {any} */ p) => (p && d.bodyValues && d.bodyValues[p.partId] ? d.bodyValues[p.partId].value : null);
    const html = value(htmlPart);
    if (html !== null && this.editor.rich) {
      // Our own draft, but stored mail all the same: rebuilt through the allow-list, never inserted.
      this.editor.setContent({ fragment: fragmentFromHtml(html) });
    } else {
      if (html === null && this.editor.rich) this.editor.setRich(false);
      this.editor.setContent({ text: value(textPart) ?? '' });
    }
  }

  /** The selected identity's signature. */
  signature() {
    const i = this.identity();
    return i ? { text: i.textSignature ?? '', html: i.htmlSignature ?? '' } : null;
  }

  identity() {
    return this.identities.find((i) => i.id === this.from.value) ?? this.identities[0] ?? null;
  }

  changed() {
    if (this.closed || this.sending) return;
    this.dirty = true;
    this.status.textContent = '';
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.saveNow(), DRAFT_DELAY_MS);
  }

  /**
   * The message as the form holds it now; bad addresses reported in `bad`.
   */
  message() {
    const to = parseAddressList(this.to.input.value);
    const cc = parseAddressList(this.cc.input.value);
    const bcc = parseAddressList(this.bcc.input.value);
    return {
      message: {
        identity: this.identity(),
        to: to.list, cc: cc.list, bcc: bcc.list,
        subject: this.subject.value,
        text: this.editor.text(),
        html: this.editor.html(),
        attachments: this.attachments.list(),
        inReplyTo: this.inReplyTo,
        references: this.references,
      },
      bad: [...to.bad, ...cc.bad, ...bcc.bad],
    };
  }

  /** Queues a draft save now (after any running one). */
  saveNow() {
    clearTimeout(this.timer);
    if (!this.dirty || this.sending) return this.saving;
    this.dirty = false;
    this.saving = this.saving.then(async () => {
      if (this.sending) return;
      const { message } = this.message();
      this.status.textContent = 'Saving…';
      try {
        this.draftId = await this.outbox.saveDraft(message, this.draftId);
        this.status.textContent = 'Draft saved';
        this.el.dataset.draftId = this.draftId;
      } catch (e) {
        this.dirty = true;
        this.status.textContent = `Draft not saved: ${/** @type {Error} */ (e).message}`;
      }
    });
    return this.saving;
  }

  async send() {
    if (this.sending) return;
    const { message, bad } = this.message();
    if (bad.length) {
      this.status.textContent = `Not an address: ${bad.join(', ')}`;
      this.to.input.focus();
      return;
    }
    if (!message.to.length && !message.cc.length && !message.bcc.length) {
      this.status.textContent = 'Add at least one recipient.';
      this.to.input.focus();
      return;
    }
    if (!message.subject.trim() && !(await confirmDialog('Send without a subject?', 'This message has no subject.', 'Send'))) return;
    this.sending = true;
    clearTimeout(this.timer);
    this.sendButton.disabled = true;
    try {
      if (this.attachments.uploading) {
        this.status.textContent = 'Waiting for uploads…';
        await this.attachments.settled();
      }
      if (this.attachments.failed && !(await confirmDialog('Send anyway?', 'Some attachments failed to upload and will be left out.', 'Send'))) {
        throw new Error('not sent');
      }
      await this.saving;
      this.status.textContent = 'Sending…';
      const final = this.message().message;
      await this.outbox.send(final, this.draftId, this.mark);
      this.people.remember([...final.to, ...final.cc, ...final.bcc]);
      this.dirty = false;
      this.app.toast('Message sent');
      this.finish();
    } catch (e) {
      const err = /** @type {any} */ (e);
      if (err.draftId) this.draftId = err.draftId;
      this.status.textContent = err.message === 'not sent' ? '' : `Not sent: ${err.message || describe(err)}`;
      this.sending = false;
      this.sendButton.disabled = false;
    }
  }

  /** Closes, keeping what was written as a draft. */
  async close() {
    if (this.closed) return;
    if (this.dirty && !this.isBlank()) {
      await this.saveNow();
      if (this.draftId) this.app.toast('Draft saved');
    }
    this.finish();
  }

  isBlank() {
    return !this.to.input.value.trim() && !this.subject.value.trim() && this.editor.isEmpty() && !this.attachments.items.length;
  }

  async discard() {
    clearTimeout(this.timer);
    this.dirty = false;
    this.sending = true; // no more saves
    await this.saving;
    if (this.draftId) {
      try {
        await this.outbox.discard(this.draftId);
      } catch {
        // already gone
      }
    }
    this.app.toast('Draft discarded');
    this.finish();
  }

  finish() {
    this.closed = true;
    clearTimeout(this.timer);
    window.removeEventListener('beforeunload', this.unloadGuard);
    this.el.remove();
    this.onClosed();
  }
}
