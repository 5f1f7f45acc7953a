import { Type, Settings, Value, type Static } from '../typebox.ts';
import { DEFAULT_INCIDENT_MIX, INCIDENT_TYPES, type IncidentType } from './incident-types.ts';
import { DIFFICULTY_PRESETS, KnobsInputSchema, KnobsSchema, type Knobs } from './difficulty.ts';
import { TOPOLOGY_PRESETS } from './presets.ts';
import { parseDate } from './time.ts';

/**
 * The file formats a dataset can be written in, in canonical order: `json` is the original's (one
 * JSON array per signal per day), the others are for the tools people already have.
 */
export const FORMATS = ['json', 'ndjson', 'parquet', 'otlp', 'openmetrics'] as const;
export type Format = (typeof FORMATS)[number];

/** Compression of the text formats (ndjson, otlp, openmetrics); json stays as the original wrote it. */
export const COMPRESSIONS = ['none', 'gzip'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** The four signals a dataset can hold, in file-layout order. */
export const SIGNALS = ['metrics', 'events', 'logs', 'traces'] as const;
export type Signal = (typeof SIGNALS)[number];

/** What a service is: which incident types fit it depends on it. */
export const SERVICE_KINDS = ['app', 'database', 'cache', 'queue'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/** The topology presets: the original's five services, or the call graph of a public microservice benchmark system. */
export const TOPOLOGIES = ['default', 'online-boutique', 'sock-shop', 'train-ticket'] as const;
export type TopologyName = (typeof TOPOLOGIES)[number];

/** Difficulty presets: each sets the benchmark knobs (`knobs`), which can also be set one by one. */
export const DIFFICULTIES = ['easy', 'realistic', 'hard'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

/** Service and region names: lower-case letters, digits and dashes, at most 63 characters. */
export const NAME_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';

export const ServiceSchema = Type.Object(
  {
    name: Type.String({ pattern: NAME_PATTERN, description: 'Service name: lower-case letters, digits and dashes.' }),
    calls: Type.Optional(
      Type.Array(Type.String({ pattern: NAME_PATTERN }), {
        uniqueItems: true,
        description: 'Names of the services this one calls (its callees). The graph must be acyclic.',
      }),
    ),
    kind: Type.Optional(
      Type.Enum([...SERVICE_KINDS], {
        description: 'What the service is: app (default), database, cache or queue. Database contention lands on databases and caches (on leaf services when there are none).',
      }),
    ),
    hosts: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: "This service's host count; default hostsPerService (or the preset's)." })),
  },
  { additionalProperties: false },
);

const IncidentMixSchema = Type.Object(
  Object.fromEntries(INCIDENT_TYPES.map((t) => [t, Type.Optional(Type.Number({ minimum: 0, maximum: 1000 }))])) as Record<
    IncidentType,
    ReturnType<typeof Type.Optional<ReturnType<typeof Type.Number>>>
  >,
  {
    additionalProperties: false,
    description: 'Relative weights of the primary incident types; a type left out gets weight 0.',
  },
);

/**
 * The generation config: every field optional, defaults as in the original generator.
 * Shared by the CLI and the HTTP API, so both accept and reject exactly the same documents.
 */
export const GenerationConfigSchema = Type.Object(
  {
    startDate: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'First day, YYYY-MM-DD (UTC). Default 2024-06-01.' })),
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3660, description: 'Number of days. Default 365.' })),
    granularityMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440, description: 'Minutes between samples; must divide 1440. Default 15.' })),
    regions: Type.Optional(
      Type.Array(Type.String({ pattern: NAME_PATTERN }), { minItems: 1, maxItems: 32, uniqueItems: true, description: 'Default us-east-1, eu-west-1, on-prem-dc1.' }),
    ),
    topology: Type.Optional(
      Type.Enum([...TOPOLOGIES], {
        description:
          'Topology preset: the original five services (default), or the service names, call graph, host counts and data stores of Online Boutique (11 services), Sock Shop (15) or Train Ticket (69). `services` replaces the preset\'s services.',
      }),
    ),
    services: Type.Optional(Type.Array(ServiceSchema, { minItems: 1, maxItems: 128, description: "Services and their call graph. Default: the topology preset's." })),
    hostsPerService: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: "Hosts of every service that does not set its own. Default 5 (a preset's own counts when a preset is used)." })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295, description: 'Seed of every random choice. Default: drawn at random and recorded in the catalog.' })),
    incidentRate: Type.Optional(Type.Number({ minimum: 0, maximum: 50, description: 'Mean number of primary incidents starting per day. Default 0.3.' })),
    incidentMix: Type.Optional(IncidentMixSchema),
    cascadeDelayMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 720, description: 'Delay added at each hop of a cascade. Default 15.' })),
    tracesPerEntryHost: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'Sampled request traces started per entry-service host and interval. Default 1.' })),
    quietGapMinutes: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1440,
        description: 'Normal stretch kept before each primary incident on its hosts (and after the dataset starts), so models see "normal" first. Default 120.',
      }),
    ),
    annotateRecords: Type.Optional(
      Type.Boolean({ description: 'Add incident_id / incident_type to the data rows of incident host-intervals (debugging; labels leak into the data). Default false.' }),
    ),
    signals: Type.Optional(
      Type.Array(Type.Enum([...SIGNALS]), { minItems: 1, uniqueItems: true, description: 'Signals to write. Default all four.' }),
    ),
    formats: Type.Optional(
      Type.Array(Type.Enum([...FORMATS]), {
        minItems: 1,
        uniqueItems: true,
        description:
          'File formats to write, each for every signal it can carry. json: the original (a JSON array per signal per day); ndjson: one record a line; ' +
          'parquet: typed columns, plus the catalog and labels as tables; otlp: OTLP/JSON lines (metrics, logs, traces, events as logs); ' +
          'openmetrics: the metrics for Prometheus backfill. Default ["json"].',
      }),
    ),
    compression: Type.Optional(Type.Enum([...COMPRESSIONS], { description: 'gzip the text formats (ndjson, otlp, openmetrics). Default none.' })),
    difficulty: Type.Optional(
      Type.Enum([...DIFFICULTIES], {
        description: 'Benchmark difficulty: a preset of the knobs (easy = the generator as it always was; realistic; hard). Default easy.',
      }),
    ),
    knobs: Type.Optional(KnobsInputSchema),
  },
  {
    $id: 'GenerationConfig',
    additionalProperties: false,
    description: 'What to generate. Every field is optional and defaults as in the original generator; unknown fields are refused.',
  },
);

export type GenerationConfigInput = Static<typeof GenerationConfigSchema>;

/**
 * The config a job actually runs: every field of GenerationConfig present, defaults filled in, the
 * seed that was used, the incident mix with all nine types and the signals in canonical order.
 */
export const NormalizedConfigSchema = Type.Object(
  {
    startDate: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'First day, YYYY-MM-DD (UTC).' }),
    days: Type.Integer({ minimum: 1, maximum: 3660 }),
    granularityMinutes: Type.Integer({ minimum: 1, maximum: 1440, description: 'Minutes between samples.' }),
    regions: Type.Array(Type.String({ pattern: NAME_PATTERN }), { minItems: 1 }),
    topology: Type.Enum([...TOPOLOGIES]),
    services: Type.Array(
      Type.Object(
        {
          name: Type.String({ pattern: NAME_PATTERN }),
          calls: Type.Array(Type.String({ pattern: NAME_PATTERN }), { description: 'Callees; empty for a leaf.' }),
          kind: Type.Enum([...SERVICE_KINDS]),
          hosts: Type.Integer({ minimum: 1, maximum: 200 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
    hostsPerService: Type.Integer({ minimum: 1, maximum: 200 }),
    seed: Type.Integer({ minimum: 0, maximum: 4294967295, description: 'The seed used (drawn by the server when the request named none).' }),
    incidentRate: Type.Number({ minimum: 0, maximum: 50 }),
    incidentMix: Type.Object(
      Object.fromEntries(INCIDENT_TYPES.map((t) => [t, Type.Number({ minimum: 0, maximum: 1000 })])) as Record<IncidentType, ReturnType<typeof Type.Number>>,
      { additionalProperties: false, description: 'Weight of every primary incident type (0 for a type left out).' },
    ),
    cascadeDelayMinutes: Type.Integer({ minimum: 0, maximum: 720 }),
    tracesPerEntryHost: Type.Integer({ minimum: 0, maximum: 100 }),
    quietGapMinutes: Type.Integer({ minimum: 0, maximum: 1440 }),
    annotateRecords: Type.Boolean(),
    signals: Type.Array(Type.Enum([...SIGNALS]), { minItems: 1, uniqueItems: true, description: 'In canonical order: metrics, events, logs, traces.' }),
    formats: Type.Array(Type.Enum([...FORMATS]), { minItems: 1, uniqueItems: true, description: 'In canonical order: json, ndjson, parquet, otlp, openmetrics.' }),
    compression: Type.Enum([...COMPRESSIONS]),
    difficulty: Type.Enum([...DIFFICULTIES]),
    knobs: KnobsSchema,
  },
  { $id: 'NormalizedConfig', additionalProperties: false, description: 'A generation config with every default filled in: the exact input of the job.' },
);

/** A service of the normalized config. */
export interface ServiceConfig {
  readonly name: string;
  readonly calls: readonly string[];
  readonly kind: ServiceKind;
  readonly hosts: number;
}

/** A config with every default filled in: the exact input of a generation run. */
export interface GenerationConfig {
  readonly startDate: string;
  readonly days: number;
  readonly granularityMinutes: number;
  readonly regions: readonly string[];
  readonly topology: TopologyName;
  readonly services: readonly ServiceConfig[];
  readonly hostsPerService: number;
  readonly seed: number;
  readonly incidentRate: number;
  readonly incidentMix: Readonly<Record<IncidentType, number>>;
  readonly cascadeDelayMinutes: number;
  readonly tracesPerEntryHost: number;
  readonly quietGapMinutes: number;
  readonly annotateRecords: boolean;
  readonly signals: readonly Signal[];
  readonly formats: readonly Format[];
  readonly compression: Compression;
  readonly difficulty: Difficulty;
  readonly knobs: Knobs;
}

// The normalized config and its schema describe the same object (a compile error when they drift).
type NormalizedStatic = Static<typeof NormalizedConfigSchema>;
type _NormalizedMatchesSchema = [
  NormalizedStatic extends GenerationConfig ? true : never,
  Exclude<keyof GenerationConfig, keyof NormalizedStatic> | Exclude<keyof NormalizedStatic, keyof GenerationConfig> extends never ? true : never,
];
export const NORMALIZED_CONFIG_MATCHES: _NormalizedMatchesSchema = [true, true];

/** The original's five services and its call graph. */
export const DEFAULT_SERVICES: readonly ServiceConfig[] = TOPOLOGY_PRESETS.default;

export const DEFAULTS = {
  startDate: '2024-06-01',
  days: 365,
  granularityMinutes: 15,
  regions: ['us-east-1', 'eu-west-1', 'on-prem-dc1'],
  services: DEFAULT_SERVICES,
  hostsPerService: 5,
  incidentRate: 0.3,
  incidentMix: DEFAULT_INCIDENT_MIX,
  cascadeDelayMinutes: 15,
  tracesPerEntryHost: 1,
  quietGapMinutes: 120,
  annotateRecords: false,
  signals: SIGNALS,
  formats: ['json'],
  compression: 'none',
  topology: 'default',
  difficulty: 'easy',
} as const;

/** One problem with a config: the field (a JSON pointer such as `/services/2/calls`) and what is allowed. */
export interface ConfigIssue {
  readonly field: string;
  readonly message: string;
}

/** Thrown when a config is rejected; `issues` lists every bad field, not just the first. */
export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(`invalid generation config: ${issues.map((i) => `${i.field || '/'} ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

// TypeBox buffers 8 errors by default; a config has about 40 checkable fields and the user should
// see every bad one at once. Still bounded, so a hostile document cannot make the list huge.
if (Settings.Get().maxErrors < 64) Settings.Set({ maxErrors: 64 });

const ALLOWED_FIELDS = Object.keys(GenerationConfigSchema.properties);

function schemaIssues(input: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(GenerationConfigSchema, input)) {
    let field = e.instancePath;
    let message = e.message;
    if (e.keyword === 'additionalProperties') {
      // Reported once per unknown key through the boolean-schema error below; skip the summary.
      continue;
    }
    if (e.keyword === 'boolean' && e.schemaPath.endsWith('additionalProperties')) {
      const parent = field.slice(0, field.lastIndexOf('/'));
      const allowed =
        parent === '' ? ALLOWED_FIELDS : parent === '/incidentMix' ? [...INCIDENT_TYPES] : /^\/services\/\d+$/.test(parent) ? Object.keys(ServiceSchema.properties) : parent === '/knobs' ? Object.keys(KnobsSchema.properties) : [];
      message = `is not a known field${allowed.length ? `; allowed: ${allowed.join(', ')}` : ''}`;
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
      message = `must be one of: ${(Array.isArray(allowed) ? allowed : SIGNALS).join(', ')}`;
    } else if (e.keyword === 'pattern' && field === '/startDate') {
      message = 'must be a date as YYYY-MM-DD';
    } else if (e.keyword === 'pattern') {
      message = 'must be lower-case letters, digits and dashes (at most 63 characters)';
    }
    const key = `${field}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ field: field || '/', message });
  }
  return issues;
}

/** Finds a cycle in the call graph, returned as the list of services around it, or null. */
function findCycle(services: readonly ServiceConfig[]): string[] | null {
  const calls = new Map(services.map((s) => [s.name, s.calls]));
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (name: string): string[] | null => {
    const st = state.get(name);
    if (st === 2) return null;
    if (st === 1) return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 1);
    stack.push(name);
    for (const c of calls.get(name) ?? []) {
      if (!calls.has(c)) continue;
      const cycle = visit(c);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 2);
    return null;
  };
  for (const s of services) {
    const cycle = visit(s.name);
    if (cycle) return cycle;
  }
  return null;
}

/**
 * Validates a config document and fills in the defaults.
 * @param input the document as received (parsed JSON, CLI options...).
 * @param fallbackSeed the seed to use when the document names none; the caller draws it, so the
 *   core itself stays free of non-seeded randomness.
 * @throws ConfigError naming every bad field.
 */
export function normalizeConfig(input: unknown, fallbackSeed: number): GenerationConfig {
  const issues = schemaIssues(input);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ConfigError(issues);
  const c = input as GenerationConfigInput;
  // The checks below run on every field the schema accepted, so one answer lists every problem.
  const bad = (prefix: string): boolean => issues.some((i) => i.field === prefix || i.field.startsWith(`${prefix}/`));

  const startDate = c.startDate ?? DEFAULTS.startDate;
  if (!bad('/startDate') && Number.isNaN(parseDate(startDate))) issues.push({ field: '/startDate', message: 'is not a calendar date' });
  const granularityMinutes = c.granularityMinutes ?? DEFAULTS.granularityMinutes;
  if (!bad('/granularityMinutes') && 1440 % granularityMinutes !== 0) {
    issues.push({ field: '/granularityMinutes', message: 'must divide a day (1440 minutes) evenly, e.g. 1, 5, 10, 15, 30, 60' });
  }

  // A bad preset name is already an issue; the default's services keep the other checks going.
  const topology = bad('/topology') ? DEFAULTS.topology : (c.topology ?? DEFAULTS.topology);
  // A preset's services keep their own host counts unless hostsPerService is given; a config's own
  // services take hostsPerService (default 5) unless they set `hosts`.
  const services: ServiceConfig[] = bad('/services')
    ? []
    : c.services
      ? c.services.map((s) => ({ name: s.name, calls: [...(s.calls ?? [])], kind: s.kind ?? 'app', hosts: s.hosts ?? c.hostsPerService ?? DEFAULTS.hostsPerService }))
      : TOPOLOGY_PRESETS[topology].map((s) => ({ ...s, calls: [...s.calls], hosts: c.hostsPerService ?? s.hosts }));
  const names = new Set<string>();
  services.forEach((s, i) => {
    if (names.has(s.name)) issues.push({ field: `/services/${i}/name`, message: `duplicates the service name "${s.name}"` });
    names.add(s.name);
  });
  services.forEach((s, i) => {
    s.calls.forEach((callee, j) => {
      if (callee === s.name) issues.push({ field: `/services/${i}/calls/${j}`, message: `a service cannot call itself ("${callee}")` });
      else if (!names.has(callee)) issues.push({ field: `/services/${i}/calls/${j}`, message: `unknown service "${callee}"; known: ${[...names].join(', ')}` });
    });
  });
  if (services.length > 0 && !bad('/services')) {
    const cycle = findCycle(services);
    if (cycle) issues.push({ field: '/services', message: `the call graph has a cycle: ${cycle.join(' -> ')}` });
  }

  const incidentMix = { ...DEFAULT_INCIDENT_MIX };
  if (c.incidentMix && !bad('/incidentMix')) for (const t of INCIDENT_TYPES) incidentMix[t] = c.incidentMix[t] ?? 0;
  const incidentRate = c.incidentRate ?? DEFAULTS.incidentRate;
  if (!bad('/incidentMix') && !bad('/incidentRate') && incidentRate > 0 && INCIDENT_TYPES.every((t) => incidentMix[t] === 0)) {
    issues.push({ field: '/incidentMix', message: 'needs at least one type with a positive weight while incidentRate > 0' });
  }

  const signalSet = new Set(c.signals ?? DEFAULTS.signals);
  const formatSet = new Set(c.formats ?? DEFAULTS.formats);
  if (!bad('/formats') && !bad('/signals') && formatSet.has('openmetrics') && !signalSet.has('metrics')) {
    issues.push({ field: `/formats/${(c.formats ?? []).indexOf('openmetrics')}`, message: 'openmetrics carries metrics only, and signals leaves metrics out' });
  }
  const difficulty = bad('/difficulty') ? DEFAULTS.difficulty : (c.difficulty ?? DEFAULTS.difficulty);
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    startDate,
    days: c.days ?? DEFAULTS.days,
    granularityMinutes,
    regions: [...(c.regions ?? DEFAULTS.regions)],
    topology,
    services,
    hostsPerService: c.hostsPerService ?? DEFAULTS.hostsPerService,
    seed: c.seed ?? fallbackSeed,
    incidentRate,
    incidentMix,
    cascadeDelayMinutes: c.cascadeDelayMinutes ?? DEFAULTS.cascadeDelayMinutes,
    tracesPerEntryHost: c.tracesPerEntryHost ?? DEFAULTS.tracesPerEntryHost,
    quietGapMinutes: c.quietGapMinutes ?? DEFAULTS.quietGapMinutes,
    annotateRecords: c.annotateRecords ?? DEFAULTS.annotateRecords,
    // Canonical order, so two configs that differ only in list order normalize the same.
    signals: SIGNALS.filter((s) => signalSet.has(s)),
    formats: FORMATS.filter((f) => formatSet.has(f)),
    compression: c.compression ?? DEFAULTS.compression,
    difficulty,
    knobs: { ...DIFFICULTY_PRESETS[difficulty], ...(c.knobs ?? {}) },
  };
}

/** Every host of a config: the sum of its services' host counts. */
export function totalHosts(config: Pick<GenerationConfig, 'services'>): number {
  return config.services.reduce((n, s) => n + s.hosts, 0);
}
