// SPDX-License-Identifier: Apache-2.0
/**
 * Account settings: the password (Password/change of urn:postern:params:jmap:settings: the current
 * password is checked like a login; other sessions end, this one stays) and what POP3 does with
 * downloaded mail (Settings/set pop3Mode "keep" | "delete", optionally after N days, and whether a
 * download marks mail as read).
 */
import { h } from '../core/dom.js';
import { Jmap } from '../core/jmap.js';
import { field, check, status, saving, setError } from './form.js';

/** @param {any} app */
export async function accountPage(app) {
  const page = h('div', { class: 'settings-sections' }, passwordForm(app));
  if (app.jmap.has('urn:postern:params:jmap:settings')) page.appendChild(await pop3Form(app));
  return page;
}

/** @param {any} app */
function passwordForm(app) {
  const current = /** @type {HTMLInputElement} */ (h('input', { type: 'password', autocomplete: 'current-password', required: true,
    'data-testid': 'password-current', maxlength: 1024 }));
  const next = /** @type {HTMLInputElement} */ (h('input', { type: 'password', autocomplete: 'new-password', required: true,
    'data-testid': 'password-new', maxlength: 1024, minlength: 8 }));
  const again = /** @type {HTMLInputElement} */ (h('input', { type: 'password', autocomplete: 'new-password', required: true,
    'data-testid': 'password-repeat', maxlength: 1024 }));
  const st = status('password-status');
  const button = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary', 'data-testid': 'password-save' },
    'Change password'));
  const form = h('form', { class: 'form', 'aria-labelledby': 'password-title' },
    h('h2', { id: 'password-title' }, 'Password'),
    field('Current password', current),
    field('New password', next, 'At least 8 characters. Your mail apps will ask for it again; other browsers are signed out.'),
    field('New password again', again),
    st.el,
    h('div', { class: 'buttons' }, button));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    saving(button, st, async () => {
      if (next.value !== again.value) {
        again.focus();
        throw new Error('The two new passwords differ.');
      }
      try {
        await app.jmap.one('Password/change', { currentPassword: current.value, newPassword: next.value });
      } catch (err) {
        const x = /** @type {any} */ (err);
        if (x.type === 'forbidden') current.focus();
        throw new Error(x.type === 'forbidden' ? `Not changed: ${x.message}.` : `Not changed: ${x.message}`);
      }
      form.reset();
      // The server renewed this browser's session (new cookie, new CSRF token); take the new token.
      const fresh = await Jmap.connect().catch(() => null);
      if (fresh && fresh.csrf) app.jmap.csrf = fresh.csrf;
      return 'Password changed.';
    });
  });
  return form;
}

/** @param {any} app */
async function pop3Form(app) {
  const r = await app.jmap.one('Settings/get', { ids: ['singleton'], properties: ['pop3Mode', 'pop3DeleteAfterDays', 'pop3MarkSeen'] });
  const s = (r.list && r.list[0]) || { pop3Mode: 'keep', pop3DeleteAfterDays: null, pop3MarkSeen: true };
  const keep = /** @type {HTMLInputElement} */ (h('input', { type: 'radio', name: 'pop3Mode', value: 'keep', checked: s.pop3Mode !== 'delete',
    'data-testid': 'pop3-keep' }));
  const del = /** @type {HTMLInputElement} */ (h('input', { type: 'radio', name: 'pop3Mode', value: 'delete', checked: s.pop3Mode === 'delete',
    'data-testid': 'pop3-delete' }));
  const days = /** @type {HTMLInputElement} */ (h('input', { type: 'number', min: 1, max: 3650, step: 1, inputmode: 'numeric',
    value: s.pop3DeleteAfterDays ?? '', placeholder: 'at once', 'data-testid': 'pop3-days' }));
  const seen = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', checked: s.pop3MarkSeen !== false, 'data-testid': 'pop3-mark-seen' }));
  const st = status('pop3-status');
  const button = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary', 'data-testid': 'pop3-save' }, 'Save'));
  const daysField = field('Delete after (days)', days, 'Empty: as soon as the app has downloaded it.');
  const sync = () => { daysField.hidden = !del.checked; };
  keep.addEventListener('change', sync);
  del.addEventListener('change', sync);
  sync();
  const form = h('form', { class: 'form', 'aria-labelledby': 'pop3-title' },
    h('h2', { id: 'pop3-title' }, 'POP3 downloads'),
    h('p', { class: 'muted' }, 'What happens to mail on the server after a POP3 app has downloaded it. IMAP apps and this webmail are not affected.'),
    h('fieldset', { class: 'choices' }, h('legend', { class: 'sr-only' }, 'After download'),
      check('Keep it on the server (recommended if you also read mail elsewhere)', keep),
      check('Delete it from the server', del)),
    daysField,
    check('Mark downloaded mail as read', seen),
    st.el,
    h('div', { class: 'buttons' }, button));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    saving(button, st, async () => {
      const n = days.value.trim() === '' || days.value.trim() === '0' ? null : Number(days.value);
      if (n !== null && !(Number.isInteger(n) && n >= 1)) throw new Error('Days must be a whole number.');
      const patch = { pop3Mode: del.checked ? 'delete' : 'keep', pop3DeleteAfterDays: del.checked ? n : null, pop3MarkSeen: seen.checked };
      const res = await app.jmap.one('Settings/set', { update: { singleton: patch } });
      setError(res, 'singleton', 'notUpdated');
      return 'Saved.';
    });
  });
  return form;
}
