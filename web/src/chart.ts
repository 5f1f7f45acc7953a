// A host's metric around an incident, drawn with uPlot: the incident's window shaded, and the
// intervals where the labels give the host a role in it (root cause or symptom) marked along the
// bottom. Window and marks are elements over the plot rather than paint on the canvas, so they
// are there for tools (and tests) to find, with titles that say what they are.
import uPlot from 'uplot';
import { formatTime, h } from './dom.ts';

/** One label role of the host at one interval start (ms). */
export interface RoleMark {
  readonly t: number;
  readonly role: 'root_cause' | 'symptom';
}

/** One host's chart: its points, the incident window and the host's label roles. */
export interface MetricChartSpec {
  readonly host: string;
  readonly metric: string;
  /** Interval starts (ms) and values, in time order. */
  readonly points: readonly { readonly t: number; readonly v: number }[];
  /** The incident's window (ms). */
  readonly window: { readonly start: number; readonly end: number };
  readonly roles: readonly RoleMark[];
  readonly intervalMs: number;
  /** The range shown (ms). */
  readonly from: number;
  readonly to: number;
}

const HEIGHT = 190;
const ROLE_TEXT = { root_cause: 'root cause', symptom: 'symptom' } as const;

/** Draws one chart into `box` (its width follows the box); the returned function removes it. */
export function metricChart(box: HTMLElement, spec: MetricChartSpec): () => void {
  const data: uPlot.AlignedData = [spec.points.map((p) => p.t / 1000), spec.points.map((p) => p.v)];
  const shade = h('div', { class: 'incident-window', title: `Incident window: ${formatTime(spec.window.start)} → ${formatTime(spec.window.end)}` });
  const marks = spec.roles.map((r) => h('div', { class: `role-mark ${r.role}`, title: `${ROLE_TEXT[r.role]} at ${formatTime(r.t)}`, 'data-role': r.role }));
  const place = (u: uPlot): void => {
    const x = (ms: number): number => u.valToPos(ms / 1000, 'x');
    const left = Math.max(0, x(spec.window.start));
    const right = Math.min(u.over.clientWidth, x(spec.window.end));
    Object.assign(shade.style, { left: `${left}px`, width: `${Math.max(2, right - left)}px` });
    spec.roles.forEach((r, i) => {
      const el = marks[i];
      if (!el) return;
      const l = x(r.t);
      Object.assign(el.style, { left: `${l}px`, width: `${Math.max(2, x(r.t + spec.intervalMs) - l - 1)}px` });
    });
  };
  const opts: uPlot.Options = {
    width: Math.max(280, box.clientWidth),
    height: HEIGHT,
    // The dataset's clock is UTC: the axis says UTC, whatever the browser's zone.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    scales: { x: { time: true, range: () => [spec.from / 1000, spec.to / 1000] } },
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    series: [{ label: 'UTC', value: (_u, v) => (v === null ? '–' : new Date(v * 1000).toISOString().slice(0, 16).replace('T', ' ')) }, { label: spec.metric, stroke: '#1a5fb4', width: 1.5, points: { show: spec.points.length < 60 } }],
    axes: [
      // 24-hour UTC times, and the date under the first tick of each day.
      {
        stroke: '#4a5160',
        grid: { stroke: '#eceff4' },
        values: (_u, ticks) =>
          ticks.map((t, i) => {
            const s = new Date(t * 1000).toISOString();
            const day = i === 0 || new Date((ticks[i - 1] ?? t) * 1000).toISOString().slice(0, 10) !== s.slice(0, 10);
            return day ? `${s.slice(11, 16)}\n${s.slice(5, 10)}` : s.slice(11, 16);
          }),
      },
      { stroke: '#4a5160', grid: { stroke: '#eceff4' }, size: 56 },
    ],
    hooks: {
      ready: [
        (u) => {
          u.over.append(shade, ...marks);
          place(u);
        },
      ],
      draw: [place],
    },
  };
  const plot = new uPlot(opts, data, box);
  let width = opts.width;
  // Resized in the next frame and only when the width changed: resizing inside the observer's
  // callback would make it fire again in the same frame.
  const resize = new ResizeObserver(() =>
    requestAnimationFrame(() => {
      const w = Math.max(280, box.clientWidth);
      if (w === width) return;
      width = w;
      plot.setSize({ width: w, height: HEIGHT });
    }),
  );
  resize.observe(box);
  return () => {
    resize.disconnect();
    plot.destroy();
  };
}
