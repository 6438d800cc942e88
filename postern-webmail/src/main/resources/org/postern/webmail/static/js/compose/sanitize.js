// SPDX-License-Identifier: Apache-2.0
/**
 * Rich text that may enter the editor or leave in a message. Nothing foreign is ever inserted as
 * markup: pasted HTML (and the sanitized HTML of a message being quoted) is parsed into an inert
 * document (DOMParser: no script runs, nothing loads) and REBUILT element by element from a short
 * allow-list, with attributes dropped except a checked href. The same walk turns the editor's own
 * content into the HTML we send, so what leaves is always this small vocabulary.
 */

/** Elements kept (after renaming b->strong, i->em, div->p, h1..h6->p+strong). */
const KEEP = new Set(['p', 'br', 'strong', 'em', 'u', 's', 'ul', 'ol', 'li', 'blockquote', 'a', 'pre', 'code']);
const RENAME = new Map([['b', 'strong'], ['i', 'em'], ['strike', 's'], ['del', 's'], ['div', 'p'], ['section', 'p'],
  ['article', 'p'], ['header', 'p'], ['footer', 'p'], ['tr', 'p'], ['dd', 'p'], ['dt', 'p'], ['h1', 'p'], ['h2', 'p'],
  ['h3', 'p'], ['h4', 'p'], ['h5', 'p'], ['h6', 'p'], ['tt', 'code'], ['kbd', 'code'], ['samp', 'code']]);
/** Elements dropped with everything inside them. */
const DROP = new Set(['script', 'style', 'template', 'iframe', 'object', 'embed', 'noscript', 'head', 'title', 'meta',
  'link', 'svg', 'math', 'canvas', 'video', 'audio', 'form', 'input', 'button', 'select', 'textarea', 'img', 'picture']);
const BLOCK = new Set(['p', 'ul', 'ol', 'li', 'blockquote', 'pre']);
const MAX_DEPTH = 40;
const MAX_NODES = 20000;

/**
 * A link target we are willing to keep: absolute http(s) or mailto only; anything else (javascript:,
 * data:, relative paths that would resolve against our origin) is dropped.
 * @param {string|null} href
 * @returns {string|null}
 */
export function safeHref(href) {
  if (!href) return null;
  const t = href.trim();
  if (t.length > 2048) return null;
  try {
    const u = new URL(t);
    if (u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'mailto:') return u.href;
  } catch {
    // not absolute: refused
  }
  return null;
}

/**
 * Parses an HTML string inertly and rebuilds its allowed structure in `doc`.
 * @param {string} html
 * @param {Document} [doc]
 * @returns {DocumentFragment}
 */
export function fragmentFromHtml(html, doc = document) {
  // Nothing in the parsed document runs (the page CSP forbids inline handlers, and the rebuild
  // keeps no attribute but a checked href), yet Chromium reports each blocked handler as it parses
  // it. Renaming on*= inside tags first keeps the console quiet; it is not what makes this safe.
  const quiet = String(html).slice(0, 2_000_000)
    .replace(/<[a-zA-Z][^>]*>/g, (tag) => tag.replace(/([\s/"'])on([a-zA-Z-]*\s*=)/gi, '$1data-off-$2'));
  const inert = new DOMParser().parseFromString(quiet, 'text/html');
  return rebuild(inert.body, doc);
}

/**
 * Rebuilds the allowed structure of `source`'s children as new nodes of `doc`.
 * @param {Node} source
 * @param {Document} [doc]
 * @returns {DocumentFragment}
 */
export function rebuild(source, doc = document) {
  const out = doc.createDocumentFragment();
  const budget = { nodes: 0 };
  copyChildren(source, out, doc, 0, budget);
  return out;
}

/**
 * @param {Node} from
 * @param {Node} to
 * @param {Document} doc
 * @param {number} depth
 * @param {{nodes:number}} budget
 */
function copyChildren(from, to, doc, depth, budget) {
  for (let n = from.firstChild; n; n = n.nextSibling) {
    if (++budget.nodes > MAX_NODES) return;
    if (n.nodeType === Node.TEXT_NODE) {
      to.appendChild(doc.createTextNode(n.nodeValue ?? ''));
      continue;
    }
    if (n.nodeType !== Node.ELEMENT_NODE) continue;
    const el = /** @type {Element} */ (n);
    const tag = el.localName.toLowerCase();
    if (DROP.has(tag)) {
      const alt = tag === 'img' ? el.getAttribute('alt') : null;
      if (alt) to.appendChild(doc.createTextNode(alt));
      continue;
    }
    const name = RENAME.get(tag) ?? tag;
    if (depth >= MAX_DEPTH || !KEEP.has(name)) {
      // Unknown wrappers (span, font, table, ...) vanish but their content stays.
      copyChildren(el, to, doc, depth + 1, budget);
      if (tag === 'td' || tag === 'th') to.appendChild(doc.createTextNode(' '));
      continue;
    }
    if (name === 'a') {
      const href = safeHref(el.getAttribute('href'));
      if (!href) {
        copyChildren(el, to, doc, depth + 1, budget);
        continue;
      }
      const a = doc.createElement('a');
      a.setAttribute('href', href);
      copyChildren(el, a, doc, depth + 1, budget);
      to.appendChild(a);
      continue;
    }
    const made = doc.createElement(name);
    const heading = /^h[1-6]$/.test(tag);
    if (heading) {
      const strong = doc.createElement('strong');
      copyChildren(el, strong, doc, depth + 1, budget);
      made.appendChild(strong);
    } else {
      copyChildren(el, made, doc, depth + 1, budget);
    }
    // A <p> inside a <p> is not valid HTML: a nested block is flattened into its parent's place.
    if (name === 'p' && to.nodeType === Node.ELEMENT_NODE && /** @type {Element} */ (to).localName === 'p') {
      while (made.firstChild) to.appendChild(made.firstChild);
      to.appendChild(doc.createElement('br'));
      continue;
    }
    if (name === 'li' && !(to.nodeType === Node.ELEMENT_NODE && ['ul', 'ol'].includes(/** @type {Element} */ (to).localName))) {
      const p = doc.createElement('p');
      p.appendChild(doc.createTextNode('• '));
      while (made.firstChild) p.appendChild(made.firstChild);
      to.appendChild(p);
      continue;
    }
    to.appendChild(made);
  }
}

/**
 * The clean HTML of an editor's content: rebuilt, then serialized by the browser (which escapes).
 * @param {Node} root
 * @returns {string}
 */
export function cleanHtml(root) {
  const box = document.createElement('div');
  box.appendChild(rebuild(root));
  return box.innerHTML;
}

/**
 * Plain text of a rich-text tree, with paragraphs, lists, quotes ("> ") and links ("text <url>").
 * @param {Node} root
 * @returns {string}
 */
export function toPlainText(root) {
  /** @type {string[]} */
  const lines = [];
  let line = '';
  const flush = () => {
    lines.push(line);
    line = '';
  };
  const blockBreak = () => {
    if (line !== '') flush();
  };
  /** A blank line between paragraphs (inside a quote: a bare ">"). @param {string} prefix */
  const gap = (prefix) => {
    blockBreak();
    const blank = prefix.trimEnd();
    if (lines.length && lines[lines.length - 1] !== blank) lines.push(blank);
  };
  /**
   * @param {Node} node
   * @param {string} prefix
   */
  const walk = (node, prefix) => {
    for (let n = node.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === Node.TEXT_NODE) {
        const text = (n.nodeValue ?? '').replace(/[\t\r\n ]+/g, ' ');
        if (line === '' && text.trim() === '') continue;
        line += (line === '' ? prefix : '') + (line === '' ? text.replace(/^ /, '') : text);
        continue;
      }
      if (n.nodeType !== Node.ELEMENT_NODE) continue;
      const el = /** @type {Element} */ (n);
      const tag = el.localName;
      if (DROP.has(tag)) continue;
      if (tag === 'br') {
        if (line === '') line = prefix.trimEnd();
        flush();
        continue;
      }
      if (tag === 'pre') {
        blockBreak();
        for (const l of (el.textContent ?? '').split('\n')) lines.push(prefix + l);
        gap(prefix);
        continue;
      }
      if (tag === 'blockquote') {
        blockBreak();
        walk(el, prefix + '> ');
        while (lines.length && lines[lines.length - 1] === (prefix + '>').trimEnd()) lines.pop();
        gap(prefix);
        continue;
      }
      if (tag === 'ul' || tag === 'ol') {
        blockBreak();
        let i = 1;
        for (let li = el.firstElementChild; li; li = li.nextElementSibling) {
          const mark = tag === 'ol' ? `${i++}. ` : '- ';
          line = prefix + mark;
          walk(li, prefix + ' '.repeat(mark.length));
          blockBreak();
        }
        gap(prefix);
        continue;
      }
      if (tag === 'a') {
        const before = line;
        walk(el, prefix);
        const href = el.getAttribute('href') ?? '';
        const shown = line.slice(before.length).trim();
        const target = href.startsWith('mailto:') ? href.slice(7) : href;
        if (href && shown !== target && shown !== href) line += ` <${target}>`;
        continue;
      }
      if (tag === 'li') {
        blockBreak();
        walk(el, prefix);
        blockBreak();
        continue;
      }
      if (BLOCK.has(tag) || tag === 'div' || /^h[1-6]$/.test(tag)) {
        blockBreak();
        walk(el, prefix);
        gap(prefix);
        continue;
      }
      walk(el, prefix);
    }
  };
  walk(root, '');
  blockBreak();
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').replace(/^\n+|\s+$/g, '');
}

/**
 * Builds paragraphs from plain text: blank lines separate paragraphs, single newlines become <br>,
 * lines starting with ">" become nested blockquotes.
 * @param {string} text
 * @param {Document} [doc]
 * @returns {DocumentFragment}
 */
export function fragmentFromText(text, doc = document) {
  const out = doc.createDocumentFragment();
  const lines = String(text).replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  const para = () => {
    const p = doc.createElement('p');
    let first = true;
    while (i < lines.length && lines[i].trim() !== '' && !lines[i].startsWith('>')) {
      if (!first) p.appendChild(doc.createElement('br'));
      p.appendChild(doc.createTextNode(lines[i]));
      first = false;
      i++;
    }
    out.appendChild(p);
  };
  while (i < lines.length) {
    if (lines[i].trim() === '') {
      i++;
      continue;
    }
    if (lines[i].startsWith('>')) {
      const quoted = [];
      while (i < lines.length && lines[i].startsWith('>')) quoted.push(lines[i++].replace(/^> ?/, ''));
      const bq = doc.createElement('blockquote');
      bq.appendChild(fragmentFromText(quoted.join('\n'), doc));
      out.appendChild(bq);
      continue;
    }
    para();
  }
  return out;
}

/**
 * "> " before every line (RFC 3676 §4.5 quoting), for replies in plain-text mode.
 * @param {string} text
 */
export function quoteText(text) {
  return String(text).replace(/\r\n?/g, '\n').split('\n').map((l) => (l.startsWith('>') ? '>' + l : '> ' + l)).join('\n');
}
