/// <reference lib="dom" />
/**
 * Small DOM helpers of the viewer page.
 *
 * @module
 */

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and attribute values: trace values are data, never markup. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes. */
export function svgEl(name: string, attributes: Readonly<Record<string, string>>): SVGElement {
  const element = document.createElementNS(SVG_NS, name) as SVGElement;
  for (const [k, v] of Object.entries(attributes)) element.setAttribute(k, v);
  return element;
}
