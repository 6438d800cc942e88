// SPDX-License-Identifier: Apache-2.0
/**
 * Boots the webmail: the login view without a session, else the app shell with its three panes
 * (folders, message list, reading pane) and one "page" pane that compose and settings fill.
 *
 * Features register themselves with the `app` object:
 *   app.jmap      core/jmap.js Jmap (call, one, upload, downloadUrl, events, accountId, username)
 *   app.router    core/router.js Router (route(pattern, handler), go(path), onChange(fn))
 *   app.keys      core/keys.js Keys (bind(key, description, fn))
 *   app.prefs     core/prefs.js Prefs (get(key, fallback), set(key, value))
 *   app.toast(msg, {error})          a short message at the bottom (role=status)
 *   app.announce(msg)                 for screen readers only (aria-live)
 *   app.openCompose(opts)             compose (B replaces it): opts = {mode: 'new'|'reply'|'replyAll'|'forward'|'forwardAttachment'|'draft',
 *                                     emailId?, email? (the Email object if loaded), to?: string, mailboxId?}
 *   app.mailboxes()                   Mailbox objects (RFC 8621 §2), kept current by push
 *   app.mailboxByRole(role)           e.g. 'inbox', 'sent', 'drafts', 'trash', 'junk', 'archive'
 *   app.onMailboxes(fn)               called with the list whenever it changes
 *   app.showPage(node, title)         shows node in the page pane (instead of list and reader)
 *   app.closePage()                   back to the last mail view
 *   app.onStateChange(fn)             push: fn({Email?, Mailbox?, Thread?: state})
 * Routes: "/mailbox/:id[/:email]" and "/search" (mail, search); "/compose", "/settings/*" (B).
 * Generic CSS classes for features: .page, .form, .field, .buttons, button.primary, .toolbar, .muted.
 */
import { Jmap, SETTINGS } from './core/jmap.js';
import { h, replace } from './core/dom.js';
import { Router } from './core/router.js';
import { Keys } from './core/keys.js';
import { Prefs } from './core/prefs.js';
import { registerMail } from './mail/index.js';
import { PROPS as FOLDER_PROPS } from './mail/folders.js';
import { registerSearch } from './search/index.js';
import { registerCompose } from './compose/index.js';
import { registerSettings } from './settings/index.js';

const root = /** @type {HTMLElement} */ (document.getElementById('root'));
/**
 * Set while this browser is signed in. Without it the login view shows at once: probing the session
 * would cost a round trip and a 401 that the browser logs as an error on every visit.
 */
const SIGNED_IN = 'postern.signedIn';

async function boot() {
  if (!localStorage.getItem(SIGNED_IN)) {
    loginView();
    return;
  }
  let jmap;
  try {
    jmap = await Jmap.connect();
  } catch (e) {
    replace(root, h('main', { class: 'login' }, h('p', { role: 'alert' }, `The server is not reachable: ${e.message}`)));
    return;
  }
  if (!jmap) {
    localStorage.removeItem(SIGNED_IN);
    loginView();
  } else {
    prefetchInbox();
    await start(jmap);
  }
}

/**
 * Asks the server to start reading the Inbox's index (postern-webmail PrefetchEndpoint) while the
 * session, settings and folders load: a big mailbox's first list then does not wait for it.
 */
function prefetchInbox() {
  fetch('/webmail/prefetch', { method: 'POST', credentials: 'same-origin', cache: 'no-store' }).catch(() => { /* a head start only */ });
}

function loginView() {
  document.title = 'Sign in · Postern';
  const user = h('input', { name: 'username', type: 'email', autocomplete: 'username', required: true, 'data-testid': 'login-username' });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'login-error' });
  const button = h('button', { type: 'submit', class: 'primary', 'data-testid': 'login-submit' }, 'Sign in');
  const form = h('form', { class: 'form login-form', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Postern'),
    h('label', { class: 'field' }, 'Email address', user),
    h('label', { class: 'field' }, 'Password', pass),
    error, button);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    button.disabled = true;
    error.textContent = '';
    try {
      await Jmap.login(/** @type {HTMLInputElement} */ (user).value.trim(), /** @type {HTMLInputElement} */ (pass).value);
      prefetchInbox();
      const jmap = await Jmap.connect();
      if (!jmap) throw new Error('the session did not start (are cookies blocked?)');
      localStorage.setItem(SIGNED_IN, '1');
      await start(jmap);
    } catch (err) {
      error.textContent = err.status === 401 ? 'Wrong email address or password.'
        : err.status === 429 ? 'Too many failed attempts. Try again later.' : `Sign-in failed: ${err.message}`;
      button.disabled = false;
      pass.focus();
    }
  });
  replace(root, h('main', { class: 'login' }, form));
  user.focus();
}

/**
 * What the start-up reads first, in one request: core/prefs.js's Settings/get and mail/folders.js's
 * folder list (its PROPS, without the thread counts). Must match their calls exactly to save the
 * round trip; a mismatch only costs it.
 * @param {Jmap} jmap
 */
async function start(jmap) {
  jmap.prefetch([
    ...(jmap.has(SETTINGS) ? [['Settings/get', { ids: ['singleton'] }]] : []),
    ['Mailbox/get', { ids: null, properties: FOLDER_PROPS }],
  ]);
  const prefs = await new Prefs(jmap).load();
  const router = new Router();
  const keys = new Keys();
  const toastEl = h('div', { class: 'toast', role: 'status', 'data-testid': 'toast', hidden: true });
  const live = h('div', { class: 'sr-only', 'aria-live': 'polite', 'data-testid': 'live-region' });
  const folders = h('nav', { class: 'folders', id: 'folders', 'aria-label': 'Folders' });
  const list = h('section', { class: 'list-pane', id: 'list-pane', 'aria-label': 'Messages' });
  const reader = h('section', { class: 'reader-pane', id: 'reader-pane', 'aria-label': 'Message' });
  const page = h('section', { class: 'page-pane', id: 'page-pane', hidden: true });
  const main = h('main', { class: 'main', id: 'main' }, list, reader, page);
  const searchSlot = h('div', { class: 'search-slot', role: 'search' });
  const menu = h('button', { type: 'button', class: 'icon menu-button', 'aria-label': 'Folders', 'aria-controls': 'folders', 'aria-expanded': 'false', 'data-testid': 'menu-button' }, '☰');
  const adminLink = h('a', { class: 'button', href: '/admin/', hidden: true, 'data-testid': 'admin-link' }, 'Admin');
  showIfAdmin(jmap, adminLink);
  const header = h('header', { class: 'topbar' },
    menu,
    h('a', { class: 'brand', href: '#/' }, 'Postern'),
    searchSlot,
    h('button', { type: 'button', class: 'primary compose-button', 'data-testid': 'compose-button', onclick: () => app.openCompose({ mode: 'new' }) }, 'New message'),
    h('a', { class: 'button', href: '#/settings', 'data-testid': 'settings-link' }, 'Settings'),
    adminLink,
    h('span', { class: 'user muted', 'data-testid': 'current-user' }, jmap.username),
    h('button', { type: 'button', 'data-testid': 'logout-button', onclick: () => logout() }, 'Sign out'));
  const skip = h('a', { class: 'skip-link', href: '#list-pane', onclick: (e) => { e.preventDefault(); list.focus(); } }, 'Skip to messages');
  list.tabIndex = -1;
  replace(root, skip, header, h('div', { class: 'body' }, folders, main), live, toastEl);
  root.className = 'app mode-list';
  menu.addEventListener('click', () => {
    const open = root.classList.toggle('folders-open');
    menu.setAttribute('aria-expanded', String(open));
  });

  let toastTimer = 0;
  let mailboxList = [];
  const mailboxListeners = [];
  const stateListeners = [];
  let lastMailPath = '/';

  const app = {
    jmap, router, keys, prefs,
    el: { root, header, folders, main, list, reader, page, searchSlot },
    /** @param {string} msg @param {{error?: boolean}} [opts] */
    toast(msg, opts = {}) {
      toastEl.textContent = msg;
      toastEl.hidden = false;
      toastEl.classList.toggle('error', !!opts.error);
      clearTimeout(toastTimer);
      toastTimer = setTimeout(() => { toastEl.hidden = true; }, opts.error ? 8000 : 4000);
    },
    /** @param {string} msg */
    announce(msg) {
      live.textContent = msg;
    },
    /** @param {any} opts */
    openCompose(opts) {
      void opts;
      app.toast('Compose is not available.');
    },
    mailboxes() {
      return mailboxList;
    },
    /** @param {string} role */
    mailboxByRole(role) {
      return mailboxList.find((m) => m.role === role) || null;
    },
    /** @param {any[]} list */
    setMailboxes(list) {
      mailboxList = list;
      for (const fn of mailboxListeners) fn(list);
    },
    onMailboxes(fn) {
      mailboxListeners.push(fn);
    },
    onStateChange(fn) {
      stateListeners.push(fn);
    },
    /** @param {'list'|'reader'|'page'} mode the pane shown on a phone */
    setMode(mode) {
      root.classList.remove('mode-list', 'mode-reader', 'mode-page', 'folders-open');
      root.classList.add('mode-' + mode);
      page.hidden = mode !== 'page';
      list.hidden = mode === 'page';
      reader.hidden = mode === 'page';
    },
    /** @param {Node} node @param {string} title */
    showPage(node, title) {
      replace(page, node);
      app.setMode('page');
      document.title = `${title} · Postern`;
    },
    closePage() {
      router.go(lastMailPath);
    },
    lastMailPath: () => lastMailPath,
    logout,
  };

  router.onChange((path) => {
    if (path.startsWith('/mailbox') || path.startsWith('/search')) lastMailPath = path;
  });
  jmap.onUnauthorized = () => {
    localStorage.removeItem(SIGNED_IN);
    location.replace('/');
  };

  async function logout() {
    localStorage.removeItem(SIGNED_IN);
    await jmap.logout().catch(() => {});
    location.replace('/');
  }

  registerMail(app);
  registerSearch(app);
  for (const register of [registerCompose, registerSettings]) {
    try {
      register(app);
    } catch (e) {
      console.warn('a feature failed to start', e);
    }
  }
  jmap.events(['Mailbox', 'Email', 'Thread'], (changed) => {
    for (const fn of stateListeners) fn(changed);
  });
  await app.ready;
  router.dispatch();
}

/**
 * Reveals the admin page's link to administrators, asked of GET /webmail/account once per session (the
 * answer kept in sessionStorage under the session's CSRF token, so a new login asks again). Only a
 * convenience: the admin API decides for itself.
 * @param {Jmap} jmap @param {HTMLElement} link
 */
async function showIfAdmin(jmap, link) {
  const key = 'postern.admin';
  const id = `${jmap.username}:${jmap.csrf || ''}`;
  let cached = null;
  try {
    cached = JSON.parse(sessionStorage.getItem(key) || 'null');
  } catch (_) { /* asked again below */ }
  let admin = false;
  if (cached && cached.id === id) admin = cached.admin === true;
  else {
    try {
      const r = await fetch('/webmail/account', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
      if (r.ok) {
        admin = (await r.json()).admin === true;
        sessionStorage.setItem(key, JSON.stringify({ id, admin }));
      }
    } catch (_) { /* no link */ }
  }
  link.hidden = !admin;
}

boot();
