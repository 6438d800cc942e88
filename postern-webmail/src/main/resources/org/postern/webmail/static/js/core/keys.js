// SPDX-License-Identifier: Apache-2.0
/**
 * Keyboard shortcuts (Gmail's letters) and the "?" help overlay. Keys typed into a text field, a
 * select or an editor never trigger a shortcut; nor do keys with Ctrl, Alt or Meta held.
 */
import { h } from './dom.js';

export class Keys {
  constructor() {
    /** @type {Map<string, {description: string, fn: (e: KeyboardEvent) => void}>} */
    this.bindings = new Map();
    /** @type {HTMLDialogElement|null} */
    this.overlay = null;
    document.addEventListener('keydown', (e) => this.onKey(e));
    this.bind('?', 'Show keyboard shortcuts', () => this.help());
  }

  /**
   * @param {string} key the KeyboardEvent.key ("j", "#", "/", "Escape")
   * @param {string} description shown in the help overlay
   * @param {(e: KeyboardEvent) => void} fn
   */
  bind(key, description, fn) {
    this.bindings.set(key, { description, fn });
  }

  /** @param {string} key */
  unbind(key) {
    this.bindings.delete(key);
  }

  /** @param {KeyboardEvent} e */
  onKey(e) {
    if (e.ctrlKey || e.altKey || e.metaKey || e.defaultPrevented) return;
    const t = /** @type {HTMLElement} */ (e.target);
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (document.querySelector('dialog[open]:not(.keys-help)')) return;
    const b = this.bindings.get(e.key);
    if (!b) return;
    e.preventDefault();
    b.fn(e);
  }

  help() {
    if (this.overlay) {
      this.overlay.close();
      return;
    }
    const rows = [...this.bindings].map(([k, b]) => h('tr', null, h('td', null, h('kbd', null, k)), h('td', null, b.description)));
    const close = h('button', { type: 'button', class: 'primary', onclick: () => dlg.close() }, 'Close');
    const dlg = /** @type {HTMLDialogElement} */ (h('dialog', { class: 'dialog keys-help', 'aria-label': 'Keyboard shortcuts', 'data-testid': 'shortcuts-help' },
      h('h2', null, 'Keyboard shortcuts'),
      h('table', null, h('tbody', null, rows)),
      h('div', { class: 'buttons' }, close)));
    dlg.addEventListener('close', () => {
      dlg.remove();
      this.overlay = null;
    });
    document.body.appendChild(dlg);
    this.overlay = dlg;
    dlg.showModal();
    close.focus();
  }
}
