// SPDX-License-Identifier: Apache-2.0
/**
 * The user's webmail preferences, kept on the server in the "webmail" object of the Postern settings
 * capability (Settings/get, Settings/set) so they follow the user to every browser, cached here.
 * Without that capability they live in localStorage. Known keys: threads (bool), sort (string),
 * remoteSenders (string[] of addresses allowed to load remote content); features add their own.
 */
import { SETTINGS } from './jmap.js';

const LOCAL = 'postern.prefs';

export class Prefs {
  /** @param {import('./jmap.js').Jmap} jmap */
  constructor(jmap) {
    this.jmap = jmap;
    /** @type {Record<string, any>} */
    this.values = {};
    /** @type {Array<(key: string, value: any) => void>} */
    this.listeners = [];
  }

  get server() {
    return this.jmap.has(SETTINGS);
  }

  async load() {
    try {
      if (this.server) {
        const r = await this.jmap.one('Settings/get', { ids: ['singleton'] });
        const s = r.list && r.list[0];
        this.values = (s && s.webmail && typeof s.webmail === 'object') ? { ...s.webmail } : {};
      } else {
        this.values = JSON.parse(localStorage.getItem(LOCAL) || '{}') || {};
      }
    } catch (_) {
      this.values = {};
    }
    return this;
  }

  /** @param {string} key @param {any} [fallback] */
  get(key, fallback) {
    return Object.prototype.hasOwnProperty.call(this.values, key) ? this.values[key] : fallback;
  }

  /**
   * Stores one preference (the cache at once, the server after).
   * @param {string} key @param {any} value
   */
  async set(key, value) {
    if (value === undefined) delete this.values[key];
    else this.values[key] = value;
    for (const fn of this.listeners) fn(key, value);
    if (this.server) {
      await this.jmap.one('Settings/set', { update: { singleton: { webmail: this.values } } });
    } else {
      localStorage.setItem(LOCAL, JSON.stringify(this.values));
    }
  }

  /** @param {(key: string, value: any) => void} fn */
  onChange(fn) {
    this.listeners.push(fn);
  }
}
