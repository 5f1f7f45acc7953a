// Trace trees (one root, parents present, reachable, edges of the call graph, children inside
// their parents), each host-interval's sampled spans, and logs joined to their spans.
import type { Row } from './input.ts';
import { parseTime } from './input.ts';
import type { SeriesStore } from './series.ts';
import { ratio } from './stats.ts';
import type { ValidationReport } from './report.ts';

/** Checks each day's traces and joins its logs to their spans; counts every host-interval's spans. */
export function createTraceCheck(store: SeriesStore, graph: Readonly<Record<string, readonly string[]>> | undefined) {
  const { hosts, slot } = store;
  const observedEdges = new Set<string>();
  let traceCount = 0;
  let validTrees = 0;
  let spanCount = 0;
  let logCount = 0;
  let joinedLogs = 0;
  let levelOk = 0;
  let previousSpans = new Map<string, number>();
  /** Whether `caller` calls `callee`: the catalog's graph, or the edges the traces showed. */
  const calls = (caller: string, callee: string): boolean => (graph ? (graph[caller] ?? []).includes(callee) : observedEdges.has(`${caller}>${callee}`));

  /** Checks every trace of the day and counts each host-interval's spans and failures. */
  function addTraces(rows: readonly Row[]): Map<string, number> {
    const spanStatus = new Map<string, number>();
    const byTrace = new Map<string, Row[]>();
    for (const s of rows) {
      const list = byTrace.get(String(s.trace_id));
      if (list) list.push(s);
      else byTrace.set(String(s.trace_id), [s]);
    }
    for (const [traceId, spans] of byTrace) {
      traceCount++;
      const byId = new Map<string, Row>();
      for (const s of spans) byId.set(String(s.span_id), s);
      let ok = byId.size === spans.length;
      const roots = spans.filter((s) => s.parent_span_id === null || s.parent_span_id === undefined);
      ok &&= roots.length === 1;
      const children = new Map<string, Row[]>();
      for (const s of spans) {
        spanStatus.set(`${traceId}/${String(s.span_id)}`, Number(s.status_code));
        if (s.parent_span_id === null || s.parent_span_id === undefined) continue;
        const parent = byId.get(String(s.parent_span_id));
        if (!parent) {
          ok = false;
          continue;
        }
        const key = String(parent.span_id);
        children.set(key, [...(children.get(key) ?? []), s]);
        observedEdges.add(`${String(parent.service_name)}>${String(s.service_name)}`);
        const start = parseTime(s.timestamp);
        const pStart = parseTime(parent.timestamp);
        // Children inside their parents; timestamps are whole milliseconds, durations finer.
        ok &&= start >= pStart && start + Number(s.duration_ms) <= pStart + Number(parent.duration_ms) + 1;
      }
      // Reachable from the root: with one root and every parent present, that rules out cycles.
      if (ok && roots.length === 1) {
        let reached = 0;
        const stack = [roots[0] as Row];
        while (stack.length > 0 && reached <= spans.length) {
          const s = stack.pop() as Row;
          reached++;
          for (const c of children.get(String(s.span_id)) ?? []) stack.push(c);
        }
        ok = reached === spans.length;
      }
      if (ok && graph) for (const s of spans) if (s.parent_span_id) ok &&= calls(String(byId.get(String(s.parent_span_id))?.service_name), String(s.service_name));
      if (ok) validTrees++;
      for (const s of spans) {
        spanCount++;
        const host = hosts.get(String((s.attributes as Row | undefined)?.['host.name'] ?? ''));
        const k = slot(parseTime(s.timestamp));
        if (!host || k < 0) continue;
        host.spans[k] = Math.min(65535, (host.spans[k] as number) + 1);
        host.durations[k] = (host.durations[k] as number) + Number(s.duration_ms);
        if (Number(s.status_code) >= 500) host.failed[k] = Math.min(65535, (host.failed[k] as number) + 1);
      }
    }
    return spanStatus;
  }

  function addLogs(rows: readonly Row[], spans: Map<string, number>): void {
    for (const l of rows) {
      logCount++;
      const key = `${String(l.trace_id)}/${String(l.span_id)}`;
      const status = spans.get(key) ?? previousSpans.get(key);
      if (status === undefined) continue;
      joinedLogs++;
      if ((l.level === 'ERROR') === status >= 500) levelOk++;
    }
  }

  return {
    calls,
    /** One day's spans and log lines; a day's logs are joined to its own spans and the previous day's handed in. */
    addDay(traceRows: readonly Row[], logRows: readonly Row[]): void {
      const spans = addTraces(traceRows);
      addLogs(logRows, spans);
      previousSpans = spans;
    },
    report(): Pick<ValidationReport, 'traces' | 'logs'> {
      return { traces: { validTrees: ratio(validTrees, traceCount), spans: spanCount }, logs: { joined: ratio(joinedLogs, logCount), levelMatchesSpan: ratio(levelOk, joinedLogs) } };
    },
  };
}
