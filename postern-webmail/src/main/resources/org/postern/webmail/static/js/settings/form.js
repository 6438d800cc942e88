// SPDX-License-Identifier: Apache-2.0
/** Small building blocks shared by the settings pages (A's generic .form/.field/.buttons classes). */
import { h } from '../core/dom.js';

let counter = 0;

/**
 * A labelled control.
 * @param {string} label @param {HTMLElement} control @param {string} [hint]
 */
export function field(label, control, hint) {
  const id = control.id || `set-${++counter}`;
  control.id = id;
  const hintEl = hint ? h('span', { class: 'muted hint', id: id + '-hint' }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}

/** A checkbox with its label on the right. @param {string} label @param {HTMLInputElement} box */
export function check(label, box) {
  return h('label', { class: 'field inline' }, box, ' ', label);
}

/**
 * A status line for a form: ok(msg) / fail(msg), announced to screen readers.
 * @param {string} testid
 */
export function status(testid) {
  const el = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite', 'data-testid': testid });
  return {
    el,
    /** @param {string} msg */
    ok(msg) {
      el.textContent = msg;
      el.classList.remove('error');
      el.dataset.state = 'ok';
    },
    /** @param {string} msg */
    fail(msg) {
      el.textContent = msg;
      el.classList.add('error');
      el.dataset.state = 'error';
    },
    clear() {
      el.textContent = '';
      el.classList.remove('error');
      delete el.dataset.state;
    },
  };
}

/**
 * Runs a save with the button disabled; errors become the status line.
 * @param {HTMLButtonElement} button @param {ReturnType<typeof status>} st @param {() => Promise<string>} fn
 */
export async function saving(button, st, fn) {
  button.disabled = true;
  st.clear();
  try {
    st.ok(await fn());
  } catch (e) {
    st.fail(/** @type {Error} */ (e).message || String(e));
  } finally {
    button.disabled = false;
  }
}

/**
 * The SetError of a /set response for one id, as an Error, or nothing.
 * @param {any} r @param {string} id @param {'notCreated'|'notUpdated'|'notDestroyed'} kind
 */
export function setError(r, id, kind) {
  const e = r && r[kind] && r[kind][id];
  if (!e) return;
  throw new Error(e.description || e.type || 'refused');
}
