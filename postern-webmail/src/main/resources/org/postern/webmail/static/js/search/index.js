// SPDX-License-Identifier: Apache-2.0
/**
 * The search box and route "/search?q=...&mb=<mailboxId>[&open=<emailId>]": full-text search through
 * the server's index (Email/query filter text), results in the ordinary message list.
 */
import { h, replace } from '../core/dom.js';
import { parseQuery, toFilter, formatQuery } from './query.js';

/** @param {any} app */
export function registerSearch(app) {
  const input = /** @type {HTMLInputElement} */ (h('input', {
    type: 'search', name: 'q', placeholder: 'Search mail', 'aria-label': 'Search mail', 'data-testid': 'search-input', maxlength: 1000,
  }));
  const fields = {
    from: h('input', { type: 'text', 'data-testid': 'search-from' }),
    to: h('input', { type: 'text', 'data-testid': 'search-to' }),
    subject: h('input', { type: 'text', 'data-testid': 'search-subject' }),
    after: h('input', { type: 'date', 'data-testid': 'search-after' }),
    before: h('input', { type: 'date', 'data-testid': 'search-before' }),
    hasAttachment: h('input', { type: 'checkbox', 'data-testid': 'search-has-attachment' }),
    all: h('input', { type: 'checkbox', 'data-testid': 'search-all-folders' }),
  };
  const filters = h('div', { class: 'search-filters', hidden: true, 'data-testid': 'search-filters' },
    h('label', { for: 'sf-from' }, 'From'), withId(fields.from, 'sf-from'),
    h('label', { for: 'sf-to' }, 'To'), withId(fields.to, 'sf-to'),
    h('label', { for: 'sf-subject' }, 'Subject'), withId(fields.subject, 'sf-subject'),
    h('label', { for: 'sf-after' }, 'After'), withId(fields.after, 'sf-after'),
    h('label', { for: 'sf-before' }, 'Before'), withId(fields.before, 'sf-before'),
    h('span'), h('label', { class: 'field inline' }, fields.hasAttachment, ' Has attachment'),
    h('span'), h('label', { class: 'field inline' }, fields.all, ' All folders'),
    h('span'), h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, 'Search')));
  const toggle = h('button', { type: 'button', class: 'icon', 'aria-expanded': 'false', 'aria-label': 'Search options', 'data-testid': 'search-options' }, '⚙');
  toggle.addEventListener('click', () => {
    filters.hidden = !filters.hidden;
    toggle.setAttribute('aria-expanded', String(!filters.hidden));
    if (!filters.hidden) fillFields(parseQuery(input.value));
  });
  const form = h('form', { class: 'search-form-wrap', 'data-testid': 'search-form' },
    h('div', { class: 'search-form' }, input, toggle,
      h('button', { type: 'submit', 'data-testid': 'search-submit' }, 'Search')),
    filters);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    let q = input.value.trim();
    if (!filters.hidden) {
      const v = (el) => /** @type {HTMLInputElement} */ (el);
      q = formatQuery({
        text: parseQuery(q).text, from: v(fields.from).value, to: v(fields.to).value, subject: v(fields.subject).value,
        after: v(fields.after).value, before: v(fields.before).value,
        hasAttachment: v(fields.hasAttachment).checked, all: v(fields.all).checked,
      });
      input.value = q;
      filters.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
    }
    const src = app.mail.currentSource();
    const mb = src && src.mailboxId ? src.mailboxId : '';
    if (!q) {
      app.router.go(mb ? `/mailbox/${encodeURIComponent(mb)}` : '/');
      return;
    }
    app.router.go(`/search?${new URLSearchParams({ q, mb })}`);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      input.value = '';
      input.blur();
    }
  });
  replace(app.el.searchSlot, form);

  function fillFields(p) {
    const set = (el, v) => { /** @type {HTMLInputElement} */ (el).value = v || ''; };
    set(fields.from, p.from);
    set(fields.to, p.to);
    set(fields.subject, p.subject);
    set(fields.after, p.after ? p.after.slice(0, 10) : '');
    set(fields.before, p.before ? p.before.slice(0, 10) : '');
    /** @type {HTMLInputElement} */ (fields.hasAttachment).checked = !!p.hasAttachment;
    /** @type {HTMLInputElement} */ (fields.all).checked = p.all;
  }

  app.keys.bind('/', 'Search', () => input.focus());
  app.router.onChange((path) => {
    if (!path.startsWith('/search')) input.value = '';
  });

  app.router.route('/search', (_, query) => {
    const q = query.get('q') || '';
    const mb = query.get('mb') || null;
    const open = query.get('open');
    input.value = q;
    const p = parseQuery(q);
    const excluded = ['trash', 'junk'].map((r) => app.mailboxByRole(r)).filter(Boolean).map((m) => m.id);
    const scope = p.all || !mb ? null : mb;
    const mbox = scope ? app.mailboxes().find((m) => m.id === scope) : null;
    const base = `/search?${new URLSearchParams({ q, mb: mb || '' })}`;
    app.mail.folders.select(scope);
    app.mail.show({
      filter: toFilter(p, scope, scope ? [] : excluded),
      sort: app.mail.sort() === 'date-asc' ? [{ property: 'receivedAt', isAscending: true }] : [{ property: 'receivedAt', isAscending: false }],
      collapseThreads: false,
      title: `Search${mbox ? ' in ' + mbox.name : ' in all folders'}: ${q}`,
      scope: `Search${mbox ? ' in ' + mbox.name : ' in all folders'}`,
      searchPath: (/** @type {string} */ other) => `/search?${new URLSearchParams({ q: other, mb: mb || '' })}`,
      scopePath: mb ? `/mailbox/${encodeURIComponent(mb)}` : '/',
      mailboxId: scope,
      search: q,
      path: base,
      openPath: base + '&open=',
    }, open);
  });
}

/** @param {HTMLElement} el @param {string} id */
function withId(el, id) {
  el.id = id;
  return el;
}
