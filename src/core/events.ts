import type { MetricKey } from './incident-types.ts';
import type { Incident } from './plan.ts';
import type { EventRecord } from './records.ts';
import { chance, createRng, int, pick, poisson, uuid, type Rng } from './rng.ts';
import { incidentsByHost, type Simulation } from './simulation.ts';
import { allocDayState, computeInterval, type DayState, trafficLoad } from './state.ts';
import { DAY_MS, MINUTE_MS, isoSeconds } from './time.ts';
import type { ServiceNode } from './topology.ts';

const USERS = ['user-alice', 'user-bob', 'user-carol', 'user-diana', 'user-erik'];
const ONCALL = ['oncall-engineer1', 'oncall-engineer2', 'oncall-sre-team'];
const APPROVERS = ['manager-bob', 'manager-frank', 'lead-grace'];

/** Alert rules: a threshold per signature metric, and how far the sampling noise can pull a value down. */
const ALERT_RULES: Record<MetricKey, { threshold: (base: number) => number; worst: (v: number) => number }> = {
  'system.cpu.util': { threshold: () => 85, worst: (v) => v - 7.5 },
  'system.mem.util': { threshold: () => 90, worst: (v) => v - 3 },
  'net.latency.ms': { threshold: (base) => Math.round(3 * base), worst: (v) => v * 0.76 },
  'app.error_rate': { threshold: () => 5, worst: (v) => v * 0.7 },
  'app.request_count': { threshold: () => Number.POSITIVE_INFINITY, worst: (v) => v },
  'net.packet_loss.pct': { threshold: () => 2, worst: (v) => v - 0.03 },
  'db.connection_pool.util': { threshold: () => 85, worst: (v) => v - 6 },
  'resource.pool.util': { threshold: () => 90, worst: (v) => v - 6 },
};

/** Reads a metric as the metrics file reports it. */
export function metricValue(state: DayState, i: number, key: MetricKey): number {
  switch (key) {
    case 'system.cpu.util':
      return state.cpu[i] as number;
    case 'system.mem.util':
      return state.mem[i] as number;
    case 'net.latency.ms':
      return state.latency[i] as number;
    case 'app.error_rate':
      return 100 * (state.fail[i] as number) * (state.errorNoise[i] as number);
    case 'app.request_count':
      return state.requests[i] as number;
    case 'net.packet_loss.pct':
      return state.packetLoss[i] as number;
    case 'db.connection_pool.util':
      return state.dbPool[i] as number;
    case 'resource.pool.util':
      return state.resourcePool[i] as number;
  }
}

export function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** A metric as the metrics file records it: request counts whole, the rest to 2 decimals. */
export function recordedMetric(state: DayState, i: number, key: MetricKey): number {
  const v = metricValue(state, i, key);
  return key === 'app.request_count' ? Math.round(v) : round2(v);
}

function minute(ms: number): number {
  return Math.round(ms / MINUTE_MS) * MINUTE_MS;
}

/**
 * When an incident's alert fires: the first interval in which its signature metric on the alerting
 * host is above the threshold even in the worst case of sampling noise. Computed on the noise-free
 * state, so it does not depend on which day is being rendered; null when it never crosses.
 */
export function alertPoint(sim: Simulation, inc: Incident): { ms: number; hostIndex: number; threshold: number } | null {
  const hostId = inc.targetHost ?? inc.hosts[0];
  const host = hostId ? sim.topology.hostById.get(hostId) : undefined;
  if (!host) return null;
  const rule = ALERT_RULES[inc.metric];
  const threshold = rule.threshold(host.baseline.latencyMs);
  const g = sim.config.granularityMinutes * MINUTE_MS;
  const scratch = allocDayState(1, sim.topology.hosts.length);
  const byDay = new Map<number, ReturnType<typeof incidentsByHost>>();
  let t = sim.startMs + Math.floor((inc.startMs - sim.startMs) / g) * g;
  for (; t < inc.endMs && t < sim.endMs; t += g) {
    const d = Math.floor((t - sim.startMs) / DAY_MS);
    let lists = byDay.get(d);
    if (!lists) byDay.set(d, (lists = incidentsByHost(sim, d)));
    computeInterval(null, sim.topology, lists, sim.config.granularityMinutes, t, scratch, 0);
    if (rule.worst(metricValue(scratch, host.index, inc.metric)) > threshold) return { ms: t, hostIndex: host.index, threshold };
  }
  return null;
}

/** The catalog's ids on an event: only with `annotateRecords`, since by default labels stay out of the data. */
function labelFields(sim: Simulation, inc: Incident): Record<string, string> {
  return sim.config.annotateRecords ? { incident_id: inc.id, incident_type: inc.type } : {};
}

/** An operator-facing ticket number for an incident: groups its updates without being a catalog id. */
function ticketId(inc: Incident): string {
  return `INC-${(inc.seed >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

interface Scheduled {
  ms: number;
  build: () => EventRecord;
}

/** The events an incident causes over its whole life; the day renderer keeps those of its day. */
function incidentSchedule(sim: Simulation, inc: Incident, state: DayState, dayStart: number): Scheduled[] {
  const rng = createRng(`meltgen/${sim.config.seed}/incident/${inc.seed}`);
  const out: Scheduled[] = [];
  const service = inc.targetService ?? inc.services[0] ?? 'unknown';
  const host = sim.topology.hostById.get(inc.targetHost ?? inc.hosts[0] ?? '');
  const region = inc.targetRegion ?? host?.region ?? null;
  const g = sim.config.granularityMinutes * MINUTE_MS;
  // The ticket, never the catalog id (or a prefix of it): no data row may name the ground truth.
  const ticket = ticketId(inc);

  if (inc.cause) {
    const cause = inc.cause;
    // Drawn now, whichever day the change falls on, so the incident's stream advances the same way.
    const e =
      cause.kind === 'DEPLOYMENT'
        ? deploymentEvent(rng, cause.ms, service, region ?? sim.config.regions[0] ?? 'unknown', cause.eventId, true)
        : configChangeEvent(rng, cause.ms, service, cause.eventId);
    out.push({ ms: cause.ms, build: () => e });
  }

  // Drawn up front and unconditionally, not in build(): build runs only on the event's day, and
  // whether the alert fires inside the run depends on where the run ends; the stream must advance
  // the same way whichever day is rendered and however long the run is.
  const acknowledged = chance(rng, 0.7);
  const alertId = uuid(rng);
  const cascadeId = uuid(rng);
  const resolvedId = uuid(rng);
  const alert = alertPoint(sim, inc);
  if (alert) {
    const eventId = alertId;
    out.push({
      ms: alert.ms,
      build: () => {
        const row = Math.round((alert.ms - dayStart) / g);
        const value = round2(metricValue(state, row * state.hostCount + alert.hostIndex, inc.metric));
        const h = sim.topology.hosts[alert.hostIndex];
        return {
          timestamp: isoSeconds(alert.ms),
          type: 'ALERT_TRIGGER',
          event_id: eventId,
          severity: inc.severity === 'P1' ? 'CRITICAL' : inc.severity === 'P2' ? 'HIGH' : 'MEDIUM',
          source: h?.id,
          service: h?.service,
          region: h?.region,
          ...labelFields(sim, inc),
          metric: inc.metric,
          threshold_value: alert.threshold,
          current_value: value,
          message: `Threshold breach: ${inc.metric} at ${value} exceeded ${alert.threshold} on ${h?.id}`,
          metadata: { alert_rule: `${inc.metric}_threshold`, notification_sent: true, oncall_acknowledged: acknowledged },
        };
      },
    });
  }

  if (!inc.isPrimary && inc.parentId) {
    const parent = sim.plan.byId.get(inc.parentId) as Incident;
    const eventId = cascadeId;
    out.push({
      ms: inc.startMs,
      build: () => ({
        timestamp: isoSeconds(inc.startMs),
        type: 'CASCADE_TRIGGER',
        event_id: eventId,
        severity: inc.severity === 'P1' ? 'CRITICAL' : 'HIGH',
        source: inc.targetHost,
        service,
        region,
        ...(sim.config.annotateRecords ? { incident_id: inc.id, incident_type: inc.type, primary_incident_id: inc.primaryId, parent_incident_id: inc.parentId } : {}),
        upstream_service: parent.targetService,
        message: `Cascading failure detected: ${service} affected by failing dependency ${parent.targetService}`,
        metadata: { dependency_path: inc.propagationPath.join(' -> '), propagation_delay_minutes: inc.hop * sim.config.cascadeDelayMinutes },
      }),
    });
  }

  if (inc.isPrimary) {
    const family = sim.plan.families.get(inc.id) ?? [inc];
    const dur = inc.endMs - inc.startMs;
    for (let t = minute(inc.startMs + 30 * MINUTE_MS); t < inc.endMs - 10 * MINUTE_MS; t = minute(t + int(rng, 30, 60) * MINUTE_MS)) {
      const r = rng.next();
      const updateType = r < 0.6 ? 'UPDATE' : r < 0.8 ? 'ESCALATION' : 'MITIGATION_ATTEMPT';
      const phase = (t - inc.startMs) / dur;
      const status = phase < 0.35 ? 'INVESTIGATING' : phase < 0.7 ? 'MITIGATING' : 'MONITORING';
      const by = pick(rng, ONCALL);
      const fix = pick(rng, ['Configuration hotfix applied', 'Rolling restart initiated', 'Traffic shifted away', 'Capacity added']);
      const eventId = uuid(rng);
      out.push({
        ms: t,
        build: () => {
          const active = family.filter((x) => x.startMs <= t);
          const hosts = new Set(active.flatMap((x) => x.hosts));
          const services = [...new Set(active.flatMap((x) => x.services))];
          const message =
            updateType === 'ESCALATION'
              ? `Incident ${ticket} escalated to ${inc.severity} - ${service} still affected`
              : updateType === 'MITIGATION_ATTEMPT'
                ? `Mitigation attempt: ${fix} for ${service}`
                : `Incident update: ${service} affecting ${hosts.size} hosts, investigation ongoing`;
          return {
            timestamp: isoSeconds(t),
            type: 'INCIDENT_UPDATE',
            event_id: eventId,
            ticket_id: ticketId(inc),
            ...labelFields(sim, inc),
            update_type: updateType,
            severity: inc.severity,
            service,
            affected_hosts_count: hosts.size,
            affected_services: services,
            message,
            metadata: { updated_by: by, status, impact: inc.severity === 'P1' ? 'HIGH' : inc.severity === 'P2' ? 'MEDIUM' : 'LOW' },
          };
        },
      });
    }
    if (chance(rng, 0.6)) {
      const t = minute(inc.startMs + (0.2 + 0.6 * rng.next()) * dur);
      const action = pick(rng, ['FORCE_RESTART', 'ROLLBACK', 'SCALE_OUT', 'FAILOVER', 'CLEAR_CACHE']);
      const user = pick(rng, USERS);
      const reason = pick(rng, ['Error spike', 'Latency increase', 'Alert escalation']);
      const actionId = uuid(rng);
      const approver = pick(rng, APPROVERS);
      const eventId = uuid(rng);
      out.push({
        ms: t,
        build: () => ({
          timestamp: isoSeconds(t),
          type: 'USER_ACTION',
          event_id: eventId,
          action,
          service,
          user,
          reason,
          message: `Manual action: ${action} on ${service}`,
          metadata: { action_id: actionId, approved_by: approver },
          ...labelFields(sim, inc),
        }),
      });
    }
  }

  if (inc.oomMs !== null) {
    const oom = inc.oomMs;
    for (const id of inc.hosts) {
      const h = sim.topology.hostById.get(id);
      const eventId = uuid(rng);
      out.push({
        ms: minute(oom),
        build: () => ({
          timestamp: isoSeconds(minute(oom)),
          type: 'SERVICE_RESTART',
          event_id: eventId,
          service: h?.service,
          host: id,
          region: h?.region,
          reason: 'OOMKilled',
          exit_code: 137,
          message: `Container on ${id} restarted: OOMKilled (exit code 137)`,
        }),
      });
    }
  }

  const resolver = pick(rng, ONCALL);
  out.push({
    ms: inc.endMs,
    build: () => ({
      timestamp: isoSeconds(inc.endMs),
      type: 'INCIDENT_RESOLVED',
      event_id: resolvedId,
      ticket_id: ticketId(inc),
      ...labelFields(sim, inc),
      severity: inc.severity,
      service,
      region,
      duration_minutes: Math.round((inc.endMs - inc.startMs) / MINUTE_MS),
      message: `Incident ${ticket} resolved: ${service} back to normal`,
      metadata: { resolved_by: resolver, status: 'RESOLVED' },
    }),
  });
  return out;
}

function healthCheck(rng: Rng, state: DayState, service: ServiceNode, row: number, ms: number): EventRecord {
  let worst = 0;
  let down = false;
  for (const h of service.hosts) {
    const i = row * state.hostCount + h.index;
    let level = 0;
    if ((state.fail[i] as number) > 0.2 || state.down[i] === 1) level = 2;
    else if ((state.fail[i] as number) > 0.02 || (state.slowdown[i] as number) > 1.8 || (state.cpu[i] as number) > 90 || (state.mem[i] as number) > 92) level = 1;
    if (state.down[i] === 1) down = true;
    worst = Math.max(worst, level);
  }
  // Probes flap now and then on a healthy service, as real ones do.
  const flap = worst === 0 && chance(rng, 0.03);
  const status = worst === 2 ? 'UNHEALTHY' : worst === 1 || flap ? 'DEGRADED' : 'HEALTHY';
  return {
    timestamp: isoSeconds(ms),
    type: 'HEALTH_CHECK',
    service: service.name,
    status,
    checks: {
      liveness: worst === 2 ? 'FAIL' : 'PASS',
      readiness: worst >= 1 ? 'FAIL' : 'PASS',
      startup: down ? 'FAIL' : 'PASS',
    },
    message: `Health check for ${service.name}: ${status}`,
  };
}

/**
 * A deployment. Harmless ones happen every day; one that causes an incident looks exactly the same,
 * so only the catalog (`caused_by_event_id`) tells them apart.
 */
function deploymentEvent(rng: Rng, ms: number, service: string, region: string, eventId: string, ok: boolean): EventRecord {
  const version = `v${int(rng, 1, 4)}.${int(rng, 0, 9)}.${int(rng, 0, 20)}`;
  // The original always has rollback_reason; null says there was none.
  const metadata = { deployed_by: pick(rng, USERS), rollback_reason: ok ? null : pick(rng, ['Error rate spike', 'Failed health checks', 'Manual rollback']) };
  return {
    timestamp: isoSeconds(ms),
    type: 'DEPLOYMENT',
    event_id: eventId,
    service,
    region,
    version,
    deployment_id: uuid(rng),
    status: ok ? 'SUCCESS' : 'ROLLED_BACK',
    message: `Deployment ${version} to ${service}`,
    metadata,
  };
}

/** A config change; as with deployments, the harmful ones look like the others. */
function configChangeEvent(rng: Rng, ms: number, service: string, eventId: string): EventRecord {
  const key = pick(rng, ['rate_limit', 'timeout_ms', 'max_connections', 'cache_ttl_s', 'retry_count']);
  const old = int(rng, 5, 200);
  return {
    timestamp: isoSeconds(ms),
    type: 'CONFIG_CHANGE',
    event_id: eventId,
    service,
    config_key: key,
    old_value: String(old),
    new_value: String(old + int(rng, -3, 10)),
    changed_by: pick(rng, USERS),
    message: `Configuration change: ${key} updated for ${service}`,
  };
}

/** Background operations of a day: deployments, config changes, scaling, probes, maintenance. */
function backgroundEvents(rng: Rng, sim: Simulation, state: DayState, dayStart: number): Scheduled[] {
  const { topology, config } = sim;
  const g = config.granularityMinutes * MINUTE_MS;
  const rows = state.intervals;
  const out: Scheduled[] = [];
  const at = (row: number): number => dayStart + row * g;
  // Every event gets an id (after its type, so the rows read the same), drawn when it is made.
  const add = (ms: number, e: EventRecord): void => {
    let withId = e;
    if (!('event_id' in e)) {
      const { timestamp, type, ...rest } = e;
      withId = { timestamp, type, event_id: uuid(rng), ...rest };
    }
    out.push({ ms, build: () => withId });
  };

  for (let mark = 0; mark < 1440; mark += 120) {
    const row = Math.ceil(mark / config.granularityMinutes);
    if (row >= rows) continue;
    for (const s of topology.services) add(at(row), healthCheck(rng, state, s, row, at(row)));
  }

  for (let k = poisson(rng, 1.2); k > 0; k--) {
    const row = int(rng, 0, rows - 1);
    const s = pick(rng, topology.services);
    const e = deploymentEvent(rng, at(row), s.name, pick(rng, config.regions), uuid(rng), chance(rng, 0.93));
    add(at(row), e);
  }

  for (let k = poisson(rng, 0.8); k > 0; k--) {
    const row = int(rng, 0, rows - 1);
    const s = pick(rng, topology.services);
    const e = configChangeEvent(rng, at(row), s.name, uuid(rng));
    add(at(row), e);
  }

  // Autoscaling reacts to what the hosts do: hot CPU or slow responses scale a service up.
  const cooldown = new Map<string, number>();
  for (let row = 0; row < rows; row++) {
    if (((row * config.granularityMinutes) % 60) !== 0) continue;
    for (const s of topology.services) {
      let cpu = 0;
      let slow = 0;
      for (const h of s.hosts) {
        cpu += state.cpu[row * state.hostCount + h.index] as number;
        slow += state.slowdown[row * state.hostCount + h.index] as number;
      }
      cpu /= s.hosts.length;
      slow /= s.hosts.length;
      const trigger = cpu > 70 ? 'CPU threshold' : slow > 2 ? 'Latency threshold' : null;
      const lowTraffic = trafficLoad(at(row)) < 0.45 && chance(rng, 0.02);
      if (!trigger && !lowTraffic) continue;
      if ((cooldown.get(s.name) ?? -1e9) > at(row)) continue;
      cooldown.set(s.name, at(row) + 3 * 3_600_000);
      const current = s.hosts.length + int(rng, 0, 3);
      const up = trigger !== null;
      add(at(row), {
        timestamp: isoSeconds(at(row)),
        type: 'AUTOSCALE',
        service: s.name,
        action: up ? 'SCALE_UP' : 'SCALE_DOWN',
        current_replicas: current,
        new_replicas: up ? current + int(rng, 1, 3) : Math.max(1, current - int(rng, 1, 2)),
        trigger: trigger ?? 'Request rate',
        message: `Auto-scaling ${s.name}: ${up ? 'SCALE_UP' : 'SCALE_DOWN'}`,
      });
    }
  }

  for (let k = poisson(rng, 0.15); k > 0; k--) {
    const row = int(rng, 0, rows - 1);
    const h = pick(rng, topology.hosts);
    add(at(row), {
      timestamp: isoSeconds(at(row)),
      type: 'SERVICE_RESTART',
      service: h.service,
      host: h.id,
      region: h.region,
      reason: 'Planned restart',
      exit_code: 0,
      message: `Container on ${h.id} restarted: Planned restart (exit code 0)`,
    });
  }

  for (let k = poisson(rng, 0.5); k > 0; k--) {
    const row = int(rng, 0, rows - 1);
    const s = pick(rng, topology.services);
    const action = pick(rng, ['CACHE_FLUSH', 'LOG_LEVEL_CHANGE', 'FEATURE_FLAG_TOGGLE']);
    add(at(row), {
      timestamp: isoSeconds(at(row)),
      type: 'USER_ACTION',
      action,
      service: s.name,
      user: pick(rng, USERS),
      reason: 'Routine operation',
      message: `Manual action: ${action} on ${s.name}`,
      metadata: { action_id: uuid(rng), approved_by: pick(rng, APPROVERS) },
    });
  }

  // Weekly maintenance: services that share a slot share a window.
  const weekday = (Math.floor(dayStart / DAY_MS) + 4) % 7;
  const slots = new Map<string, ServiceNode[]>();
  for (const s of topology.services) {
    if (s.maintenance.weekday !== weekday) continue;
    const key = `${s.maintenance.hour}/${s.maintenance.hours}`;
    slots.set(key, [...(slots.get(key) ?? []), s]);
  }
  for (const services of slots.values()) {
    const m = (services[0] as ServiceNode).maintenance;
    const names = services.map((s) => s.name);
    const from = dayStart + m.hour * 3_600_000;
    const to = from + m.hours * 3_600_000;
    add(from, { timestamp: isoSeconds(from), type: 'MAINTENANCE_WINDOW', status: 'STARTED', message: 'Scheduled maintenance window started', affected_services: names });
    add(to, { timestamp: isoSeconds(to), type: 'MAINTENANCE_WINDOW', status: 'COMPLETED', message: 'Scheduled maintenance window completed', affected_services: names });
  }
  return out;
}

/** All events of one day, ordered by time. */
export function dayEvents(rng: Rng, sim: Simulation, dayIndex: number, state: DayState): EventRecord[] {
  const dayStart = sim.startMs + dayIndex * DAY_MS;
  const dayEnd = dayStart + DAY_MS;
  const all = backgroundEvents(rng, sim, state, dayStart);
  // Today's incidents, plus those of yesterday that end exactly at midnight: their resolution is today's.
  const incidents = new Set(sim.plan.byDay[dayIndex] ?? []);
  for (const inc of sim.plan.byDay[dayIndex - 1] ?? []) if (inc.endMs === dayStart) incidents.add(inc);
  // And tomorrow's that a change made today causes.
  for (const inc of sim.plan.byDay[dayIndex + 1] ?? []) if (inc.cause && inc.cause.ms < dayEnd) incidents.add(inc);
  for (const inc of incidents) all.push(...incidentSchedule(sim, inc, state, dayStart));
  // The decoy deployments: changes that move the metrics for a while and cause nothing.
  for (const d of sim.plan.decoysByDay[dayIndex] ?? []) {
    if (d.kind !== 'TRANSIENT_DEPLOYMENT' || d.eventId === null || d.startMs < dayStart) continue;
    const host = sim.topology.hosts[d.hostIndexes[0] ?? 0];
    const e = deploymentEvent(createRng(`meltgen/${sim.config.seed}/decoy/${d.eventId}`), d.startMs, d.service, host?.region ?? 'unknown', d.eventId, true);
    all.push({ ms: d.startMs, build: () => e });
  }
  if (sim.config.knobs.alertStorms) all.push(...stormAlerts(sim, dayIndex, state, dayStart));
  const kept = all.filter((e) => e.ms >= dayStart && e.ms < dayEnd && e.ms < sim.endMs);
  kept.sort((a, b) => a.ms - b.ms);
  return kept.map((e) => e.build());
}


/** The error-rate alert rule that symptom hosts trip in an alert storm. */
const STORM_METRIC: MetricKey = 'app.error_rate';

/**
 * Alert storms (benchmark knob `alertStorms`): every host that only suffers a symptom (its labels
 * are all `symptom`) fires the error-rate alert each time its recorded error rate goes above the
 * rule's threshold, so the pager fills with alerts from the services that are not the cause. Read
 * from the day's state, edge-triggered within the day (a host above the threshold at midnight
 * alerts again), with ids from the day's own stream.
 */
function stormAlerts(sim: Simulation, dayIndex: number, state: DayState, dayStart: number): Scheduled[] {
  const rng = createRng(`meltgen/${sim.config.seed}/storm/${dayIndex}`);
  const threshold = ALERT_RULES[STORM_METRIC].threshold(0);
  const g = sim.config.granularityMinutes * MINUTE_MS;
  const out: Scheduled[] = [];
  for (let row = 0; row < state.intervals; row++) {
    for (const h of sim.topology.hosts) {
      const i = row * state.hostCount + h.index;
      const labels = state.labels[i];
      if (!labels || labels.some((l) => l.role === 'root_cause')) continue;
      const value = recordedMetric(state, i, STORM_METRIC);
      const before = row > 0 ? recordedMetric(state, i - state.hostCount, STORM_METRIC) : 0;
      if (!(value > threshold) || before > threshold) continue;
      const ms = dayStart + row * g;
      const eventId = uuid(rng);
      const acknowledged = chance(rng, 0.4);
      const inc = (labels[0] as (typeof labels)[number]).incident;
      out.push({
        ms,
        build: () => ({
          timestamp: isoSeconds(ms),
          type: 'ALERT_TRIGGER',
          event_id: eventId,
          severity: 'HIGH',
          source: h.id,
          service: h.service,
          region: h.region,
          ...labelFields(sim, inc),
          metric: STORM_METRIC,
          threshold_value: threshold,
          current_value: value,
          message: `Threshold breach: ${STORM_METRIC} at ${value} exceeded ${threshold} on ${h.id}`,
          metadata: { alert_rule: `${STORM_METRIC}_threshold`, notification_sent: true, oncall_acknowledged: acknowledged },
        }),
      });
    }
  }
  return out;
}
