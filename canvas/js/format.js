// Number and text formatting for the canvas. Memory arrives in KiB (SPEC units).
export function fmtKiB(kib) {
  if (kib === null || kib === undefined || Number.isNaN(kib)) return '–';
  const a = Math.abs(kib);
  if (a >= 1024 * 1024 * 10) return (kib / 1048576).toFixed(1) + ' GiB';
  if (a >= 1024 * 1024) return String(Number((kib / 1048576).toFixed(2))) + ' GiB';
  if (a >= 1024) return Math.round(kib / 1024) + ' MiB';
  return kib + ' KiB';
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
const REASON_CLASS = {
  grow: 'r-grow', shrink: 'r-shrink', hold: 'r-hold', deadband: 'r-hold',
  maxmem: 'r-limit', floor: 'r-limit', pool: 'r-limit', reserve: 'r-limit',
  stale: 'r-bad', stuck: 'r-bad', no_report: 'r-bad',
};
export function reasonClass(r) {
  return 'reason ' + (REASON_CLASS[r] || 'r-hold');
}

export function flagList(flags) {
  return flags ? Object.keys(flags).filter((k) => flags[k]).sort() : [];
}
