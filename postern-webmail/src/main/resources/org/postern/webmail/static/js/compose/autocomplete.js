// SPDX-License-Identifier: Apache-2.0
/**
 * A recipient field: a text input holding a comma-separated address list, with suggestions for the
 * address being typed (the text after the last comma) from past correspondents. ARIA combobox
 * pattern: arrows move through the list, Enter or Tab takes the highlighted suggestion, Escape closes.
 */
import { h, clear } from '../core/dom.js';
import { formatAddress } from './addresses.js';

let counter = 0;

/**
 * @param {{label: string, testid: string, source: import('./addresses.js').Correspondents, onChange: () => void}} o
 * @returns {{el: HTMLElement, input: HTMLInputElement}}
 */
export function recipientField(o) {
  const id = `rcpt-${++counter}`;
  const list = h('ul', { class: 'suggestions', role: 'listbox', id: id + '-list', hidden: true,
    'data-testid': o.testid + '-suggestions' });
  const input = /** @type {HTMLInputElement} */ (h('input', {
    type: 'text', id, autocomplete: 'off', spellcheck: 'false', role: 'combobox', 'aria-autocomplete': 'list',
    'aria-expanded': 'false', 'aria-controls': id + '-list', 'data-testid': o.testid, maxlength: 8000,
  }));
  /** @type {import('./addresses.js').EmailAddress[]} */
  let shown = [];
  let active = -1;
  let asked = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    shown = [];
    active = -1;
  };
  const highlight = (/** @type {number} */ i) => {
    active = i;
    [...list.children].forEach((li, k) => li.setAttribute('aria-selected', String(k === i)));
    if (i >= 0) input.setAttribute('aria-activedescendant', `${id}-opt-${i}`);
  };
  const current = () => {
    const v = input.value;
    const cut = Math.max(v.lastIndexOf(','), v.lastIndexOf(';'));
    return { head: v.slice(0, cut + 1), token: v.slice(cut + 1).trim() };
  };
  const take = (/** @type {number} */ i) => {
    const a = shown[i];
    if (!a) return;
    const { head } = current();
    input.value = (head ? head.trimEnd() + ' ' : '') + formatAddress(a) + ', ';
    close();
    input.focus();
    o.onChange();
  };
  const suggest = async () => {
    const { token } = current();
    const mine = ++asked;
    if (token.length < 1) {
      close();
      return;
    }
    const matches = await o.source.match(token);
    if (mine !== asked) return; // a later keystroke won
    const already = input.value.toLowerCase();
    shown = matches.filter((a) => !already.includes(a.email.toLowerCase() + '>') && !already.includes(a.email.toLowerCase() + ','));
    if (!shown.length) {
      close();
      return;
    }
    clear(list);
    shown.forEach((a, i) => list.appendChild(h('li', {
      role: 'option', id: `${id}-opt-${i}`, class: 'suggestion', 'data-testid': 'suggestion',
      onmousedown: (/** @type {MouseEvent} */ e) => {
        e.preventDefault();
        take(i);
      },
    }, a.name ? h('span', { class: 'suggestion-name' }, a.name) : null, h('span', { class: 'suggestion-email' }, a.email))));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    highlight(0);
  };

  input.addEventListener('input', () => {
    o.onChange();
    suggest();
  });
  input.addEventListener('focus', () => o.source.load());
  input.addEventListener('blur', () => setTimeout(close, 100));
  input.addEventListener('keydown', (e) => {
    if (list.hidden) return;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      highlight((active + 1) % shown.length);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      highlight((active - 1 + shown.length) % shown.length);
    } else if ((e.key === 'Enter' || e.key === 'Tab') && active >= 0) {
      e.preventDefault();
      take(active);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  });
  const el = h('div', { class: 'compose-field' }, h('label', { for: id }, o.label), h('div', { class: 'combo' }, input, list));
  return { el, input };
}
