// uPlot chart builders with the page's theme. uPlot (vendor/uplot) is loaded
// as a classic script and defines the global uPlot.
import { fmtGiBAxis, fmtKiB, fmtTau } from './format.js';

// Time ticks on one line (HH:MM:SS, or HH:MM for coarse steps): uPlot's
// default adds a date line that a 220 px chart clips.
function timeValues(u, vals, axisIdx, space, incr) {
  return vals.map((v) => {
    const d = new Date(v * 1000);
    const p = (n) => String(n).padStart(2, '0');
    return incr >= 60 ? `${p(d.getHours())}:${p(d.getMinutes())}` : `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  });
}

export const COLORS = {
  used: '#f59e0b', usedFill: 'rgba(245,158,11,0.35)', free: 'rgba(52,211,153,0.16)',
  target: '#60a5fa', actual: '#e5e7eb', floor: '#f87171', maxmem: '#6b7280',
  pool: '#a78bfa', tau: '#22d3ee', hostFree: '#34d399', reserve: '#f97316',
};

const NOPTS = { show: false };

const AXIS = { stroke: '#9ca3af', grid: { stroke: 'rgba(255,255,255,0.06)', width: 1 },
  ticks: { stroke: 'rgba(255,255,255,0.12)', width: 1, size: 4 }, font: '11px system-ui, sans-serif' };

// Ticks on binary steps (KiB values): 64 MiB .. 64 TiB, so labels read 0.5G, 1G, 2G.
const MEM_INCRS = Array.from({ length: 21 }, (_, i) => 65536 * 2 ** i);

function memAxis(size) {
  return { ...AXIS, size, incrs: MEM_INCRS, values: (u, vals) => vals.map(fmtGiBAxis) };
}

function timeAxis(show) {
  return { ...AXIS, show, space: 70, values: timeValues };
}

// Fills between two series (free = used .. tot) with uPlot's bands.
export function domainChart(target, width, height, compact) {
  const opts = {
    width, height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 5 } },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max, 1) * 1.04] } },
    series: [
      {},
      { label: 'used', stroke: COLORS.used, fill: COLORS.usedFill, width: 1.5, points: NOPTS, value: (u, v) => fmtKiB(v) },
      { label: 'total', stroke: 'rgba(52,211,153,0.5)', width: 1, points: NOPTS, value: (u, v) => fmtKiB(v) },
      { label: 'target', stroke: COLORS.target, width: 2, points: NOPTS, value: (u, v) => fmtKiB(v) },
      { label: 'actual', stroke: COLORS.actual, width: 1, points: NOPTS, dash: [4, 3], value: (u, v) => fmtKiB(v) },
      { label: 'floor', stroke: COLORS.floor, width: 1, points: NOPTS, dash: [2, 3], value: (u, v) => fmtKiB(v) },
      { label: 'maxmem', stroke: COLORS.maxmem, width: 1, points: NOPTS, dash: [6, 4], value: (u, v) => fmtKiB(v) },
    ],
    bands: [{ series: [2, 1], fill: COLORS.free }],
    axes: [timeAxis(!compact), memAxis(compact ? 38 : 50)],
  };
  return new uPlot(opts, [[], [], [], [], [], [], []], target);
}

export function hostChart(target, width, height) {
  return new uPlot({
    width, height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max, 1) * 1.05] } },
    series: [
      {},
      { label: 'used', stroke: COLORS.used, fill: COLORS.usedFill, width: 1.5, points: NOPTS, value: (u, v) => fmtKiB(v) },
      { label: 'targets', stroke: COLORS.target, width: 2, points: NOPTS, value: (u, v) => fmtKiB(v) },
      { label: 'actual', stroke: COLORS.actual, width: 1, points: NOPTS, dash: [4, 3], value: (u, v) => fmtKiB(v) },
      { label: 'pool', stroke: COLORS.pool, width: 2, points: NOPTS, dash: [8, 4], value: (u, v) => fmtKiB(v) },
    ],
    axes: [timeAxis(true), memAxis(50)],
  }, [[], [], [], [], []], target);
}

export function tauChart(target, width, height) {
  return new uPlot({
    width, height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, tau: { range: [0, 1] },
      mem: { range: (u, min, max) => [0, Math.max(max, 1) * 1.1] } },
    series: [
      {},
      { label: 'τ', scale: 'tau', stroke: COLORS.tau, width: 2, points: NOPTS, value: (u, v) => fmtTau(v) },
      { label: 'host free', scale: 'mem', stroke: COLORS.hostFree, width: 1.5, points: NOPTS, value: (u, v) => fmtKiB(v) },
      { label: 'reserve', scale: 'mem', stroke: COLORS.reserve, width: 1, points: NOPTS, dash: [3, 3], value: (u, v) => fmtKiB(v) },
    ],
    axes: [timeAxis(true), { ...AXIS, scale: 'tau', size: 36, values: (u, v) => v.map((x) => x.toFixed(1)) },
      { ...AXIS, scale: 'mem', side: 1, size: 44, grid: { show: false }, incrs: MEM_INCRS, values: (u, v) => v.map(fmtGiBAxis) }],
  }, [[], [], [], []], target);
}

// Legend built with DOM calls: the page's CSP forbids inline style attributes.
// uPlot's own legend is off to keep small multiples compact.
export function fillLegend(target, items) {
  target.replaceChildren();
  for (const [name, color, dash] of items) {
    const span = document.createElement('span');
    span.className = 'lg';
    const mark = document.createElement('i');
    mark.style.borderTop = `2px ${dash ? 'dashed' : 'solid'} ${color}`;
    span.append(mark, name);
    target.append(span);
  }
}
