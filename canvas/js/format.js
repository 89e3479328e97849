// Number and text formatting for the canvas. Memory arrives in KiB (SPEC units).
// The one memory formatter of the page: the unit is chosen after rounding,
// so 1048525 KiB reads "1 GiB", never "1024 MiB".
export function fmtKiB(kib) {
  if (kib === null || kib === undefined || Number.isNaN(kib)) return '–';
  const a = Math.abs(kib), sign = kib < 0 ? '−' : '';
  if (a < 1024) return sign + Math.round(a) + ' KiB';
  if (Math.round(a / 1024) < 1024) return sign + Math.round(a / 1024) + ' MiB';
  const g = a / 1048576;
  return sign + (g >= 10 ? g.toFixed(1) : String(Number(g.toFixed(2)))) + ' GiB';
}

export function fmtDeltaKiB(kib) {
  if (!kib) return '±0';
  return (kib > 0 ? '+' : '−') + fmtKiB(Math.abs(kib));
}

export function fmtGiBAxis(kib) {
  const g = kib / 1048576;
  if (g === 0) return '0';
  if (Math.abs(g) < 1) return Math.round(g * 1024) + 'M';
  return Number(Math.abs(g) >= 10 ? g.toFixed(0) : g.toFixed(2)) + 'G';
}

export function fmtAgo(ms) {
  if (ms === null || ms === undefined) return '–';
  const s = ms / 1000;
  if (s < 1) return 'now';
  if (s < 90) return Math.round(s) + ' s ago';
  if (s < 5400) return Math.round(s / 60) + ' min ago';
  return Math.round(s / 3600) + ' h ago';
}

export function fmtClock(ms) {
  return new Date(ms).toLocaleTimeString([], { hour12: false });
}

export function fmtDuration(s) {
  if (s === null || s === undefined) return '–';
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function fmtTau(t) {
  return t === null || t === undefined ? '–' : t.toFixed(3);
}

export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

// Reason names come from the server (mm_reason_name); colours group them.
// An unknown code gets the neutral colour (reasons.js words it).
const REASON_CLASS = {
  grow: 'r-grow', shrink: 'r-shrink', hold: 'r-hold', deadband: 'r-hold', out_of_scope: 'r-hold',
  maxmem: 'r-limit', floor: 'r-limit', pool: 'r-bad', reserve: 'r-limit',
  wait: 'r-hold', pressure: 'r-grow', harm: 'r-limit', rate: 'r-limit',
  stale: 'r-bad', stuck: 'r-bad', no_report: 'r-bad',
};
export function reasonClass(r) {
  return 'reason ' + (REASON_CLASS[r] || 'r-hold');
}

export function flagList(flags) {
  return flags ? Object.keys(flags).filter((k) => flags[k]).sort() : [];
}
