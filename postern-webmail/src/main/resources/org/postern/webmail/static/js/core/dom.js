// SPDX-License-Identifier: Apache-2.0
/**
 * Building DOM without HTML strings. Text always becomes text nodes, so data from the server
 * (subjects, names, file names, folder names) can never become markup. The page CSP forbids inline
 * styles and handlers; positions are set through the CSSOM (el.style.x = ...), which CSP allows.
 */

const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'indeterminate', 'multiple', 'open']);

/**
 * @param {string} tag
 * @param {Record<string, any>|null} [attrs] "class", on<event> functions, "dataset" object, boolean
 *   properties (value, checked, disabled, hidden...), anything else as an attribute; null/false omitted
 * @param {...any} children strings/numbers (as text), Nodes, arrays of them; null/false/undefined skipped
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : String(v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
      else if (PROPS.has(k)) /** @type {any} */ (el)[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

/** @param {Node} el @param {any[]} children */
export function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
  return el;
}

/** Removes every child. @param {Node} el */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** Replaces the children. @param {Node} el @param {...any} children */
export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

/** A link leaving the app: new tab, no opener, no referrer. @param {string} href @param {...any} children */
export function extLink(href, ...children) {
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, ...children);
}

/** "1.2 MB" @param {number} n */
export function formatSize(n) {
  if (!(n >= 0)) return '';
  if (n < 1024) return `${n} B`;
  const u = ['KB', 'MB', 'GB', 'TB'];
  let i = -1;
  do { n /= 1024; i++; } while (n >= 1024 && i < u.length - 1);
  return `${n < 10 ? n.toFixed(1) : Math.round(n)} ${u[i]}`;
}

/** Today: time; this year: day and month; else the date. @param {string} iso */
export function formatDate(iso) {
  if (!iso) return '';
  const d = new Date(iso), now = new Date();
  if (d.toDateString() === now.toDateString()) return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (d.getFullYear() === now.getFullYear()) return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  return d.toLocaleDateString();
}

/** "Name <addr>" or addr. @param {{name?: string|null, email?: string}|null|undefined} a */
export function formatAddress(a) {
  if (!a) return '';
  return a.name ? `${a.name} <${a.email}>` : (a.email || '');
}

/** @param {Array<{name?: string|null, email?: string}>|null|undefined} list */
export function formatAddresses(list) {
  return (list || []).map(formatAddress).join(', ');
}

/**
 * A modal dialog asking for one line of text; resolves to the text or null (cancelled).
 * @param {string} title @param {string} label @param {string} [value]
 */
export function ask(title, label, value = '') {
  return new Promise((resolve) => {
    const input = h('input', { type: 'text', value, required: true, 'data-testid': 'dialog-input', maxlength: 255 });
    const dlg = modal(title, [h('label', { class: 'field' }, label, input)], 'OK', () => input.value.trim() || null, resolve);
    dlg.addEventListener('keydown', (e) => e.stopPropagation());
    input.select();
  });
}

/** A modal yes/no; resolves true or false. @param {string} title @param {string} text @param {string} [ok] */
export function confirmDialog(title, text, ok = 'OK') {
  return new Promise((resolve) => {
    modal(title, [h('p', null, text)], ok, () => true, (v) => resolve(v === true));
  });
}

/**
 * A modal form: body elements, an OK and a Cancel button; resolve gets value() on OK, null on cancel.
 * @param {string} title @param {Node[]} body @param {string} okLabel @param {() => any} value @param {(v: any) => void} resolve
 */
export function modal(title, body, okLabel, value, resolve) {
  let done = false;
  const finish = (v) => {
    if (done) return;
    done = true;
    dlg.close();
    dlg.remove();
    resolve(v);
  };
  const form = h('form', { method: 'dialog', onsubmit: (e) => { e.preventDefault(); finish(value()); } },
    h('h2', null, title), ...body,
    h('div', { class: 'buttons' },
      h('button', { type: 'button', onclick: () => finish(null), 'data-testid': 'dialog-cancel' }, 'Cancel'),
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'dialog-ok' }, okLabel)));
  const dlg = /** @type {HTMLDialogElement} */ (h('dialog', { class: 'dialog', 'aria-label': title }, form));
  dlg.addEventListener('cancel', (e) => { e.preventDefault(); finish(null); });
  document.body.appendChild(dlg);
  dlg.showModal();
  return dlg;
}
