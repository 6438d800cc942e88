// SPDX-License-Identifier: Apache-2.0
/**
 * Compose feature: registers app.openCompose(opts), the "#/compose?..." route (also reached from
 * mailto-style links: to, cc, bcc, subject, body; or reply/replyAll/forward/forwardAttachment/draft
 * = an Email id) and the "c" shortcut. One compose window at a time: opening another closes the
 * current one, which keeps its draft.
 */
import { Composer } from './composer.js';
import { Outbox } from './outbox.js';
import { Correspondents } from './addresses.js';
import { h } from '../core/dom.js';

const MODES = ['reply', 'replyAll', 'forward', 'forwardAttachment', 'draft'];

/** @param {any} app */
export function registerCompose(app) {
  linkStyles();
  const outbox = new Outbox(app.jmap);
  const people = new Correspondents(app.jmap);
  /** @type {Composer|null} */
  let current = null;
  let lastPath = '';

  /** @param {import('./composer.js').ComposeOptions} [opts] */
  async function openCompose(opts = {}) {
    if (current) await current.close();
    const c = new Composer(app, outbox, people, opts, () => {
      if (current === c) current = null;
    });
    current = c;
    document.body.appendChild(c.el);
    await c.start();
    return c;
  }

  app.openCompose = openCompose;
  app.compose = {
    open: openCompose,
    reply: (/** @type {string} */ emailId) => openCompose({ mode: 'reply', emailId }),
    replyAll: (/** @type {string} */ emailId) => openCompose({ mode: 'replyAll', emailId }),
    forward: (/** @type {string} */ emailId) => openCompose({ mode: 'forward', emailId }),
    forwardAsAttachment: (/** @type {string} */ emailId) => openCompose({ mode: 'forwardAttachment', emailId }),
    editDraft: (/** @type {string} */ emailId) => openCompose({ mode: 'draft', emailId }),
  };

  if (app.router) {
    app.router.onChange?.((/** @type {string} */ path) => {
      if (!path.startsWith('/compose')) lastPath = path;
    });
    app.router.route('/compose', (/** @type {Record<string,string>} */ _params, /** @type {URLSearchParams} */ q) => {
      /** @type {import('./composer.js').ComposeOptions} */
      const opts = {};
      for (const m of MODES) {
        const id = q.get(m);
        if (id) {
          opts.mode = /** @type {any} */ (m);
          opts.emailId = id;
        }
      }
      for (const k of ['to', 'cc', 'bcc', 'subject', 'body']) {
        const v = q.get(k);
        if (v !== null) /** @type {any} */ (opts)[k] = v.slice(0, 100_000);
      }
      openCompose(opts);
      // The compose window floats over the mail view: show that view again under it.
      app.router.go(lastPath || '/', { replace: true });
    });
  }
  app.keys?.bind?.('c', 'Compose a new message', () => openCompose({}));
}

/** Our stylesheet, unless index.html already links it (same origin: allowed by the page CSP). */
function linkStyles() {
  const href = '/css/compose.css';
  if (document.querySelector(`link[rel=stylesheet][href="${href}"]`)) return;
  document.head.appendChild(h('link', { rel: 'stylesheet', href }));
}
