// SPDX-License-Identifier: Apache-2.0
/**
 * The attachments of a message being written: files from the picker, from drag and drop or pasted,
 * each uploaded at once (RFC 8620 §6.1) with a progress bar; and attachments that already are blobs
 * (a forwarded message, the parts of a forwarded mail, those of a reopened draft).
 */
import { h, formatSize } from '../core/dom.js';

/** Larger files are refused before uploading (the server would refuse them after). */
const MAX_FILE = 50 * 1024 * 1024;

/**
 * @typedef {{blobId: string, type: string, name: string, size: number}} Attachment
 * @typedef {{file: {name: string, type: string, size: number}, state: 'uploading'|'done'|'error',
 *   blob: Attachment|null, row: HTMLElement, done: Promise<void>}} Item
 */

export class Attachments {
  /**
   * @param {any} jmap @param {() => void} onChange @param {(msg: string) => void} toast
   */
  constructor(jmap, onChange, toast) {
    this.jmap = jmap;
    this.onChange = onChange;
    this.toast = toast;
    /** @type {Item[]} */
    this.items = [];
    this.el = h('ul', { class: 'attachments', 'data-testid': 'compose-attachments', 'aria-label': 'Attachments' });
    this.picker = /** @type {HTMLInputElement} */ (h('input', { type: 'file', multiple: true, hidden: true,
      'data-testid': 'compose-file', onchange: () => {
        this.addFiles(this.picker.files);
        this.picker.value = '';
      } }));
  }

  /** @param {FileList|File[]|null} files */
  addFiles(files) {
    for (const f of files ?? []) {
      if (f.size > MAX_FILE) {
        this.toast(`${f.name} is larger than ${formatSize(MAX_FILE)}`);
        continue;
      }
      this.upload(f);
    }
  }

  /** @param {File} f */
  upload(f) {
    const progress = /** @type {HTMLProgressElement} */ (h('progress', { max: 100, value: 0, 'aria-label': `Uploading ${f.name}` }));
    const status = h('span', { class: 'attachment-status' }, 'Uploading…');
    /** @type {Item} */
    const item = { file: { name: f.name, type: f.type, size: f.size }, state: 'uploading', blob: null, row: h('li'),
      done: Promise.resolve() };
    item.row = this.row(item, progress, status);
    this.items.push(item);
    this.el.appendChild(item.row);
    item.done = this.jmap.upload(f, (/** @type {number} */ loaded, /** @type {number} */ total) => {
      progress.value = total ? Math.round((loaded / total) * 100) : 0;
    }).then((/** @type {any} */ r) => {
      item.blob = { blobId: r.blobId, type: f.type || r.type || 'application/octet-stream', name: f.name, size: r.size ?? f.size };
      item.state = 'done';
      progress.value = 100;
      status.textContent = formatSize(item.blob.size);
      item.row.dataset.state = 'done';
      this.onChange();
    }, (/** @type {any} */ e) => {
      item.state = 'error';
      item.row.dataset.state = 'error';
      status.textContent = `Upload failed: ${e.message || e}`;
      progress.hidden = true;
    });
  }

  /** @param {Attachment} a */
  addExisting(a) {
    /** @type {Item} */
    const item = { file: { name: a.name, type: a.type, size: a.size }, state: 'done', blob: a, row: h('li'),
      done: Promise.resolve() };
    item.row = this.row(item, null, h('span', { class: 'attachment-status' }, formatSize(a.size)));
    this.items.push(item);
    this.el.appendChild(item.row);
  }

  /**
   * @param {Item} item @param {HTMLElement|null} progress @param {HTMLElement} status
   */
  row(item, progress, status) {
    const remove = h('button', { type: 'button', class: 'attachment-remove', 'aria-label': `Remove ${item.file.name}`,
      title: 'Remove', 'data-testid': 'attachment-remove', onclick: () => {
        this.items = this.items.filter((x) => x !== item);
        item.row.remove();
        this.onChange();
      } }, '×');
    return h('li', { class: 'attachment', 'data-testid': 'compose-attachment', dataset: { state: item.state } },
      h('span', { class: 'attachment-name' }, item.file.name), status, progress, remove);
  }

  /** Resolves when no upload is running any more. */
  async settled() {
    await Promise.all(this.items.map((i) => i.done));
  }

  get uploading() {
    return this.items.some((i) => i.state === 'uploading');
  }

  get failed() {
    return this.items.some((i) => i.state === 'error');
  }

  /** @returns {Attachment[]} */
  list() {
    return this.items.filter((i) => i.state === 'done' && i.blob).map((i) => /** @type {Attachment} */ (i.blob));
  }
}
