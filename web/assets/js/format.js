// Date formatting: short or relative text, with the ISO time in a title.
import { h } from './dom.js';

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'always' });
const UNITS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

function parse(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

// "5 minutes ago", "in 3 days", "just now".
export function relative(iso, now = Date.now()) {
  const d = parse(iso);
  if (!d) return '';
  const secs = Math.round((d.getTime() - now) / 1000);
  const abs = Math.abs(secs);
  if (abs < 45) return secs <= 0 ? 'just now' : 'in a few seconds';
  for (const [unit, size] of UNITS) {
    if (abs >= size) return rtf.format(Math.round(secs / size), unit);
  }
  return rtf.format(Math.round(secs / 60) || (secs < 0 ? -1 : 1), 'minute');
}

// "Nov 28, 2025".
export function shortDate(iso) {
  const d = parse(iso);
  if (!d) return '';
  return d.toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric' });
}

// "Nov 28, 2025, 14:03".
export function dateTime(iso) {
  const d = parse(iso);
  if (!d) return '';
  return d.toLocaleString('en-US', {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false,
  });
}

function timeEl(iso, text) {
  return h('time', { datetime: iso, title: iso }, text);
}

// <time> showing a relative time; `never` when iso is null.
export function timeAgo(iso, never = 'Never') {
  if (!parse(iso)) return never;
  return timeEl(iso, relative(iso));
}

// <time> showing a short date; `never` when iso is null.
export function dateOnly(iso, never = 'Never') {
  if (!parse(iso)) return never;
  return timeEl(iso, shortDate(iso));
}

// <time> showing date and time.
export function dateAndTime(iso, never = '—') {
  if (!parse(iso)) return never;
  return timeEl(iso, dateTime(iso));
}
