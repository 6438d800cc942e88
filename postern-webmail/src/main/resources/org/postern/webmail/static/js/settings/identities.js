// SPDX-License-Identifier: Apache-2.0
/**
 * Identities and signatures (RFC 8621 §6 Identity/get and /set): the name mail is sent under, the
 * signature in rich text (htmlSignature, always rebuilt through the editor's allow-list) and its plain
 * text form (textSignature), and further addresses the account may send as. The server refuses
 * addresses the account does not own (forbiddenFrom) and never deletes the default identity.
 */
import { h, clear, confirmDialog } from '../core/dom.js';
import { Editor } from '../compose/editor.js';
import { fragmentFromHtml } from '../compose/sanitize.js';
import { field, status, saving, setError } from './form.js';

/** @param {any} app */
export async function identitiesPage(app) {
  const list = h('div', { class: 'identity-list', 'data-testid': 'identity-list' });
  const page = h('div', { class: 'settings-sections' }, h('h2', null, 'Addresses and signatures'), list, addForm(app, () => reload()));
  async function reload() {
    const r = await app.jmap.one('Identity/get', {});
    clear(list);
    for (const i of r.list ?? []) list.appendChild(identityForm(app, i, reload));
  }
  await reload();
  return page;
}

/**
 * @param {any} app @param {any} i the Identity @param {() => Promise<void>} reload
 */
function identityForm(app, i, reload) {
  const name = /** @type {HTMLInputElement} */ (h('input', { type: 'text', value: i.name ?? '', maxlength: 200, 'data-testid': 'identity-name' }));
  const editor = new Editor({ rich: true, label: 'Signature', testid: 'identity-signature' });
  if (i.htmlSignature) editor.setContent({ fragment: fragmentFromHtml(i.htmlSignature) });
  else if (i.textSignature) editor.setContent({ text: i.textSignature });
  else editor.setContent({ text: '' });
  const st = status('identity-status');
  const save = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary', 'data-testid': 'identity-save' }, 'Save'));
  const remove = i.mayDelete ? h('button', { type: 'button', class: 'danger', 'data-testid': 'identity-delete', onclick: async () => {
    if (!(await confirmDialog('Remove this address?', `Mail can no longer be sent as ${i.email} from here.`, 'Remove'))) return;
    try {
      const res = await app.jmap.one('Identity/set', { destroy: [i.id] });
      setError(res, i.id, 'notDestroyed');
      await reload();
    } catch (e) {
      st.fail(/** @type {Error} */ (e).message);
    }
  } }, 'Remove') : null;
  const form = h('form', { class: 'form identity', 'data-testid': 'identity', dataset: { email: i.email } },
    h('h3', null, i.email),
    field('Your name', name, 'Shown to recipients next to the address.'),
    h('div', { class: 'field' }, h('span', null, 'Signature'), editor.el),
    st.el,
    h('div', { class: 'buttons' }, remove, save));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    saving(save, st, async () => {
      const text = editor.text();
      const patch = { name: name.value.trim(), textSignature: text, htmlSignature: text.trim() ? (editor.html() ?? '') : '' };
      const res = await app.jmap.one('Identity/set', { update: { [i.id]: patch } });
      setError(res, i.id, 'notUpdated');
      return 'Saved.';
    });
  });
  return form;
}

/** @param {any} app @param {() => Promise<void>} reload */
function addForm(app, reload) {
  const email = /** @type {HTMLInputElement} */ (h('input', { type: 'email', required: true, maxlength: 320, 'data-testid': 'identity-new-email' }));
  const name = /** @type {HTMLInputElement} */ (h('input', { type: 'text', maxlength: 200, 'data-testid': 'identity-new-name' }));
  const st = status('identity-new-status');
  const add = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', 'data-testid': 'identity-add' }, 'Add address'));
  const form = h('form', { class: 'form', 'aria-labelledby': 'identity-add-title' },
    h('h3', { id: 'identity-add-title' }, 'Send from another address'),
    h('p', { class: 'muted' }, 'An alias of this account, or another address you own on this server.'),
    field('Address', email), field('Name', name), st.el, h('div', { class: 'buttons' }, add));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    saving(add, st, async () => {
      const res = await app.jmap.one('Identity/set', { create: { n: { email: email.value.trim(), name: name.value.trim() } } });
      setError(res, 'n', 'notCreated');
      form.reset();
      await reload();
      return 'Added.';
    });
  });
  return form;
}
