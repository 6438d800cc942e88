// SPDX-License-Identifier: Apache-2.0
/**
 * The list's small icons as inline SVG built through the DOM (the page CSP allows no inline style and
 * no markup strings). Drawn in currentColor, so CSS colours them per theme; always aria-hidden: the
 * element around an icon carries its accessible name (WCAG 2.1 SC 1.1.1).
 */

const NS = 'http://www.w3.org/2000/svg';

/** A five-pointed star on a 20x20 grid, computed rather than copied. */
function starPoints() {
  const pts = [];
  for (let i = 0; i < 10; i++) {
    const r = i % 2 ? 3.9 : 9;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    pts.push(`${(10 + r * Math.cos(a)).toFixed(2)},${(10.6 + r * Math.sin(a)).toFixed(2)}`);
  }
  return pts.join(' ');
}

/** name -> [element, attributes] shapes, on a 20x20 view box. */
const SHAPES = {
  star: [['polygon', { points: starPoints(), 'stroke-linejoin': 'round' }]],
  // A paperclip: two nested U bends, open at the top left.
  clip: [['path', { d: 'M7.5 7v7.2a2.5 2.5 0 0 0 5 0V5.2a4 4 0 0 0-8 0v9.3a5.5 5.5 0 0 0 11 0V7', fill: 'none', 'stroke-linecap': 'round' }]],
  archive: [['rect', { x: '2.5', y: '3.5', width: '15', height: '4', rx: '1' }], ['path', { d: 'M4 7.5v8a1 1 0 0 0 1 1h10a1 1 0 0 0 1-1v-8M8 11h4', fill: 'none' }]],
  trash: [['path', { d: 'M3 5.5h14M8 5.5V3.5h4v2M5 5.5l1 11h8l1-11M8.5 8.5v5.5M11.5 8.5v5.5', fill: 'none', 'stroke-linejoin': 'round' }]],
  envelope: [['rect', { x: '2.5', y: '4.5', width: '15', height: '11', rx: '1.5', fill: 'none' }], ['path', { d: 'M3 5.5l7 5.5 7-5.5', fill: 'none' }]],
  open: [['path', { d: 'M2.5 8.5v7a1 1 0 0 0 1 1h13a1 1 0 0 0 1-1v-7L10 3.5z', fill: 'none', 'stroke-linejoin': 'round' }], ['path', { d: 'M3 8.5l7 5 7-5', fill: 'none' }]],
};

/**
 * @param {keyof typeof SHAPES} name
 * @returns {SVGSVGElement}
 */
export function icon(name) {
  const svg = /** @type {SVGSVGElement} */ (document.createElementNS(NS, 'svg'));
  svg.setAttribute('viewBox', '0 0 20 20');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', `icon icon-${name}`);
  svg.setAttribute('fill', 'currentColor');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '1.6');
  for (const [tag, attrs] of SHAPES[name]) {
    const el = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    svg.appendChild(el);
  }
  return svg;
}
