// SPDX-License-Identifier: Apache-2.0
/**
 * Hash routes: "#/mailbox/<id>", "#/mailbox/<id>/<emailId>", "#/search?q=...", "#/compose?...",
 * "#/settings/<page>". Patterns name segments with ":name"; a trailing "*" matches the rest.
 * Handlers get (params, query): params the decoded named segments, query a URLSearchParams.
 */

/**
 * @typedef {(params: Record<string, string>, query: URLSearchParams, path: string) => void} RouteHandler
 */

export class Router {
  constructor() {
    /** @type {Array<{parts: string[], handler: RouteHandler}>} */
    this.routes = [];
    /** @type {RouteHandler|null} */
    this.fallback = null;
    /** @type {Array<(path: string) => void>} called before every route's handler */
    this.listeners = [];
    this.current = '';
    window.addEventListener('hashchange', () => this.dispatch());
  }

  /** @param {string} pattern e.g. "/mailbox/:id" @param {RouteHandler} handler */
  route(pattern, handler) {
    this.routes.push({ parts: pattern.split('/').filter(Boolean), handler });
  }

  /** @param {RouteHandler} handler for paths nothing else matches */
  otherwise(handler) {
    this.fallback = handler;
  }

  /** @param {(path: string) => void} fn */
  onChange(fn) {
    this.listeners.push(fn);
  }

  /**
   * Navigates; a path equal to the current one dispatches again. The route runs at once: setting
   * location.hash would run it a task later, from the hashchange event (a visible delay on every
   * message opened on a busy machine). Back and forward between these entries still fire hashchange.
   * @param {string} path e.g. "/mailbox/abc" @param {{replace?: boolean}} [opts]
   */
  go(path, opts = {}) {
    const hash = '#' + path;
    if (location.hash !== hash) {
      if (opts.replace) history.replaceState(null, '', hash);
      else history.pushState(null, '', hash);
    }
    this.dispatch();
  }

  /** The path of the current hash, without "#". */
  path() {
    return location.hash.replace(/^#/, '') || '/';
  }

  dispatch() {
    const full = this.path();
    const q = full.indexOf('?');
    const path = q < 0 ? full : full.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : full.slice(q + 1));
    const segs = path.split('/').filter(Boolean);
    this.current = full;
    for (const fn of this.listeners) fn(full);
    for (const r of this.routes) {
      const params = match(r.parts, segs);
      if (params) {
        r.handler(params, query, full);
        return;
      }
    }
    if (this.fallback) this.fallback({}, query, full);
  }
}

/** @param {string[]} parts @param {string[]} segs */
function match(parts, segs) {
  /** @type {Record<string, string>} */
  const params = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p === '*') {
      params['*'] = segs.slice(i).map(safeDecode).join('/');
      return params;
    }
    if (i >= segs.length) return null;
    if (p.startsWith(':')) params[p.slice(1)] = safeDecode(segs[i]);
    else if (p !== segs[i]) return null;
  }
  return segs.length === parts.length ? params : null;
}

function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch (_) {
    return s;
  }
}
