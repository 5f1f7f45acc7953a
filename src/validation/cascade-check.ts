// Cascades: each cascaded incident's service calls its parent's (callee → caller), and each hop
// moves no earlier than its parent unless something else moves the same hosts at the time.
import type { CatalogIncidentLike, CatalogLike } from './input.ts';
import { parseTime } from './input.ts';
import type { Ratio } from './report.ts';
import type { SeriesStore } from './series.ts';
import { ratio } from './stats.ts';

/** Cascades run callee → caller, and each hop moves no earlier than its parent: read once the baselines are in. */
export function createCascadeCheck(store: SeriesStore, catalog: CatalogLike, calls: (caller: string, callee: string) => boolean) {
  const { hosts, zAt, z, signature, firstDeparture } = store;
  const incidentById = new Map(catalog.incidents.map((i) => [i.id, i]));

  /** The first interval of an incident's window in which its signature departs on one of its hosts. */
  function onset(inc: CatalogIncidentLike): number | null {
    const sig = signature(inc);
    return sig ? firstDeparture(inc, sig.metric, sig.from, sig.to) : null;
  }

  /**
   * When an incident's signature rises: the first interval of its window in which it reaches half of
   * its peak on one of its hosts (and departs). Relative to its own peak, so a caller's symptom that
   * is louder than its callee's fault (symptom amplification) is still seen to rise after it: the
   * symptom's course follows the fault's one hop later, whatever the two amplitudes are.
   */
  function rise(inc: CatalogIncidentLike): number | null {
    const sig = signature(inc);
    if (!sig) return null;
    let peak = Number.NEGATIVE_INFINITY;
    for (const id of inc.affected_hosts ?? []) {
      const host = hosts.get(id);
      for (let k = sig.from; host && k <= sig.to; k++) {
        const v = zAt(host, sig.metric, k);
        if (v > peak) peak = v;
      }
    }
    if (!(peak >= z)) return null;
    const level = Math.max(z, peak / 2);
    let first: number | null = null;
    for (const id of inc.affected_hosts ?? []) {
      const host = hosts.get(id);
      for (let k = sig.from; host && k <= sig.to && (first === null || k < first); k++) {
        if (zAt(host, sig.metric, k) >= level) first = k;
      }
    }
    return first;
  }

  /** Whether another cascade has an incident on one of this incident's hosts during its window. */
  function confounded(inc: CatalogIncidentLike): boolean {
    const hostsOf = new Set(inc.affected_hosts ?? []);
    const start = parseTime(inc.start_time);
    const end = parseTime(inc.end_time);
    const overlaps = (o: { start_time: string; end_time: string }, hostsOfOther: readonly string[] | undefined): boolean =>
      parseTime(o.start_time) < end && parseTime(o.end_time) > start && (hostsOfOther ?? []).some((h) => hostsOf.has(h));
    // A decoy (a workload shift, a noisy neighbour…) on the same hosts moves them for its own reasons too.
    return (
      catalog.incidents.some((o) => o.primary_incident_id !== undefined && o.primary_incident_id !== inc.primary_incident_id && overlaps(o, o.affected_hosts)) ||
      (catalog.decoys ?? []).some((d) => overlaps(d, d.hosts))
    );
  }

  /**
   * Cascaded incidents whose signature departs no earlier than their parent's (both detected, and
   * neither sharing hosts with another cascade at the time, which would move first for its own reasons).
   */
  function causalOrder(): Ratio {
    let n = 0;
    let ok = 0;
    for (const inc of catalog.incidents) {
      const parent = inc.parent_incident_id ? incidentById.get(inc.parent_incident_id) : undefined;
      if (!parent || confounded(inc) || confounded(parent)) continue;
      const a = onset(parent);
      const b = onset(inc);
      if (a === null || b === null) continue;
      n++;
      // In order when the child departs no earlier, or rises to half its peak no earlier: the second
      // holds when symptoms are amplified (a loud caller departs before its quiet callee does).
      if (b >= a || (rise(inc) ?? -1) >= (rise(parent) ?? Number.POSITIVE_INFINITY)) ok++;
    }
    return ratio(ok, n);
  }

  function cascades(): Ratio {
    let n = 0;
    let ok = 0;
    for (const inc of catalog.incidents) {
      if (!inc.parent_incident_id) continue;
      const parent = incidentById.get(inc.parent_incident_id);
      n++;
      if (parent?.target_service && inc.target_service && calls(inc.target_service, parent.target_service)) ok++;
    }
    return ratio(ok, n);
  }

  return { cascades, causalOrder };
}
