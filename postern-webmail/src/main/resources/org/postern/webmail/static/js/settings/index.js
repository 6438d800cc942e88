// SPDX-License-Identifier: Apache-2.0
/**
 * Settings feature: "#/settings" and "#/settings/<page>" (account, vacation, identities, setup),
 * shown in the app's page pane with a navigation list. Each page loads its own data when opened.
 */
import { h } from '../core/dom.js';
import { accountPage } from './account.js';
import { vacationPage } from './vacation.js';
import { identitiesPage } from './identities.js';
import { setupPage } from './setup.js';

/** @type {Array<{id: string, title: string, load: (app: any) => Promise<HTMLElement>}>} */
const PAGES = [
  { id: 'account', title: 'Password and POP3', load: accountPage },
  { id: 'identities', title: 'Addresses and signatures', load: identitiesPage },
  { id: 'vacation', title: 'Vacation responder', load: vacationPage },
  { id: 'setup', title: 'Set up your mail app', load: setupPage },
];

/** @param {any} app */
export function registerSettings(app) {
  linkStyles();
  let shown = 0;
  /** @param {string} id */
  async function open(id) {
    const page = PAGES.find((p) => p.id === id) ?? PAGES[0];
    const mine = ++shown;
    const content = h('div', { class: 'settings-content', 'data-testid': 'settings-content', dataset: { page: page.id } },
      h('p', { class: 'loading' }, 'Loading…'));
    const nav = h('nav', { class: 'settings-nav', 'aria-label': 'Settings' },
      h('ul', null, PAGES.map((p) => h('li', null, h('a', {
        href: `#/settings/${p.id}`, 'data-testid': `settings-nav-${p.id}`, 'aria-current': p.id === page.id ? 'page' : null,
      }, p.title)))),
      h('button', { type: 'button', 'data-testid': 'settings-close', onclick: () => app.closePage() }, 'Back to mail'));
    const view = h('div', { class: 'page settings', 'data-testid': 'settings' }, h('h1', { class: 'sr-only' }, 'Settings'), nav, content);
    app.showPage(view, `${page.title} · Settings`);
    try {
      const body = await page.load(app);
      if (mine !== shown) return;
      content.replaceChildren(body);
      const first = /** @type {HTMLElement|null} */ (content.querySelector('h2'));
      if (first) {
        first.tabIndex = -1;
        first.focus();
      }
    } catch (e) {
      if (mine !== shown) return;
      content.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Could not load this page: ${/** @type {Error} */ (e).message}`));
    }
  }
  app.router.route('/settings', () => open('account'));
  app.router.route('/settings/:page', (/** @type {Record<string, string>} */ p) => open(p.page));
  app.openSettings = (/** @type {string} */ id) => app.router.go(`/settings/${id}`);
}

/** Our stylesheet, unless index.html already links it (same origin: allowed by the page CSP). */
function linkStyles() {
  const href = '/css/settings.css';
  if (document.querySelector(`link[rel=stylesheet][href="${href}"]`)) return;
  document.head.appendChild(h('link', { rel: 'stylesheet', href }));
}
