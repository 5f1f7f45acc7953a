// A trace's spans as a waterfall: a row per span in call order (each under its parent, indented),
// a bar from its start to its end on the trace's time line, failed spans (status 5xx) marked in
// colour and in words.
import type { SpanRecord } from './api.ts';
import { h } from './dom.ts';

/** The spans of one trace in call order, each with its depth. */
function ordered(spans: readonly SpanRecord[]): { span: SpanRecord; depth: number }[] {
  const children = new Map<string | null, SpanRecord[]>();
  const ids = new Set(spans.map((s) => s.span_id));
  for (const s of spans) {
    // A span whose parent is missing (a sampled-out call) is shown as a root.
    const parent = s.parent_span_id && ids.has(s.parent_span_id) ? s.parent_span_id : null;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const out: { span: SpanRecord; depth: number }[] = [];
  const walk = (parent: string | null, depth: number): void => {
    for (const s of (children.get(parent) ?? []).sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp))) {
      out.push({ span: s, depth });
      walk(s.span_id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** The waterfall of one trace's spans. */
export function waterfall(spans: readonly SpanRecord[]): HTMLElement {
  const rows = ordered(spans);
  const start = Math.min(...spans.map((s) => Date.parse(s.timestamp)));
  const end = Math.max(...spans.map((s) => Date.parse(s.timestamp) + s.duration_ms));
  const total = Math.max(1, end - start);
  const failed = spans.filter((s) => s.status_code >= 500).length;
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      { class: 'waterfall', id: 'waterfall' },
      h('caption', {}, `Trace ${spans[0]?.trace_id ?? ''}: ${spans.length} spans over ${total.toFixed(1)} ms, ${failed} failed`),
      h('thead', {}, h('tr', {}, ['Service', 'Operation', 'Timeline', 'Duration', 'Status'].map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        {},
        rows.map(({ span, depth }) => {
          const bad = span.status_code >= 500;
          const left = ((Date.parse(span.timestamp) - start) / total) * 100;
          const width = Math.max(0.5, (span.duration_ms / total) * 100);
          return h(
            'tr',
            { class: bad ? 'span failed' : 'span', 'data-span': span.span_id, 'data-failed': bad ? 'true' : 'false' },
            h('td', { style: `padding-left:${0.5 + depth * 1.1}rem` }, span.service_name, h('div', { class: 'small muted' }, span.attributes['host.name'])),
            h('td', {}, h('code', {}, span.operation)),
            h('td', { class: 'bar-cell' }, h('div', { class: 'track' }, h('div', { class: 'span-bar', style: `left:${left}%;width:${Math.min(width, 100 - left)}%`, title: `${span.duration_ms} ms from +${(Date.parse(span.timestamp) - start).toFixed(0)} ms` }))),
            h('td', { class: 'num' }, `${span.duration_ms.toFixed(1)} ms`),
            h('td', {}, bad ? h('span', { class: 'badge failed-badge' }, `✕ ${span.status_code}${span.attributes['error.type'] ? ` ${span.attributes['error.type']}` : ''}`) : String(span.status_code)),
          );
        }),
      ),
    ),
  );
}
