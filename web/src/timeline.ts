// The incidents over the dataset's days: a row per cascade (a primary and the incidents it caused),
// a bar per incident. Bars are buttons, so the timeline is usable by keyboard like the table.
import type { Catalog, Incident } from './api.ts';
import { formatTime, h } from './dom.ts';

const DAY_MS = 86_400_000;

// One colour per incident type, told apart on a white background (and repeated in text).
const COLORS: Record<string, string> = {
  MEMORY_LEAK: '#8e44ad',
  CPU_SATURATION: '#d35400',
  NETWORK_PACKET_LOSS: '#2471a3',
  DB_CONTENTION: '#b7950b',
  NETWORK_PARTITION: '#17a589',
  DEPENDENCY_DEGRADATION: '#c0392b',
  CONFIG_MISMATCH: '#5d6d7e',
  RESOURCE_EXHAUSTION: '#a04000',
  CASCADING_FAILURE: '#922b21',
};

/** The colour of an incident type. */
export function incidentColor(type: string): string {
  return COLORS[type] ?? '#566573';
}

/** The timeline of a catalog; `open` is called with the incident whose bar is pressed. */
export function renderTimeline(c: Catalog, open: (i: Incident) => void): HTMLElement {
  const start = Date.parse(c.generation_config.start_date);
  const days = c.generation_config.days_generated;
  const span = days * DAY_MS;
  const pct = (t: number): number => Math.min(100, Math.max(0, ((t - start) / span) * 100));
  const cascades = new Map<string, Incident[]>();
  for (const i of c.incidents) cascades.set(i.primary_incident_id, [...(cascades.get(i.primary_incident_id) ?? []), i]);
  // Day ticks: every day for a short dataset, fewer as it grows, at most about a dozen labels.
  const every = Math.max(1, Math.ceil(days / 12));
  const ticks: HTMLElement[] = [];
  for (let d = 0; d <= days; d += every) {
    ticks.push(h('span', { class: 'tick', style: `left:${(d / days) * 100}%` }, new Date(start + d * DAY_MS).toISOString().slice(5, 10)));
  }
  return h(
    'figure',
    { class: 'timeline', id: 'timeline' },
    h('figcaption', {}, `Timeline: ${days} days from ${c.generation_config.start_date.slice(0, 10)}, a row per cascade (primary first). Press a bar to open its incident.`),
    h('div', { class: 'axis', 'aria-hidden': 'true' }, ticks),
    h(
      'div',
      { class: 'lanes' },
      [...cascades.values()].map((group) =>
        h(
          'div',
          { class: 'lane', role: 'group', 'aria-label': `Cascade of ${group[0]?.type ?? ''}`, style: `height:${group.length * 10 + 8}px` },
          group.map((i, k) => {
            const s = Date.parse(i.start_time);
            const e = Date.parse(i.end_time);
            const left = pct(s);
            const width = Math.max(0.4, pct(e) - left);
            return h('button', {
              type: 'button',
              class: `bar${i.is_primary ? ' primary' : ''}`,
              style: `left:${left}%;width:${width}%;top:${k * 10}px;background:${incidentColor(i.type)}`,
              title: `${i.type} · ${i.target_service ?? i.target_region ?? ''} · ${formatTime(s)} → ${formatTime(e)}`,
              'aria-label': `${i.is_primary ? 'Primary' : 'Cascaded'} ${i.type} on ${i.target_service ?? `region ${i.target_region ?? ''}`}, ${formatTime(s)} to ${formatTime(e)}`,
              'data-incident': i.id,
              onclick: () => open(i),
            });
          }),
        ),
      ),
    ),
  );
}
