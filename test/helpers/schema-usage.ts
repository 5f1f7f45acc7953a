import assert from 'node:assert/strict';
import type { TSchema } from 'typebox';

// Whether a set of named schemas is looser than real values: walks values that validated against
// them and notes, per place of a schema, what was written there. A place that is declared but never
// written, optional but always there, nullable but never null (or always null), or an enum value
// that never occurs is a schema looser than the data.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The JSON Schema keywords the walk understands (what TypeBox emits for these schemas). */
export interface Schema {
  $id?: string;
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: unknown;
  patternProperties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  enum?: Json[];
  const?: Json;
}

/** What was written at one place. */
export interface Seen {
  /** Values seen at the place. */
  visits: number;
  /** For an object's property: the objects that have it, and those that do not. */
  present: number;
  absent: number;
  nulls: number;
  /** Enum (or const) values seen, by their JSON text. */
  values: Map<string, number>;
}

/** One place a schema declares, with what it allows. */
export interface Declared {
  /**
   * The `$id` of the nearest named schema, then the properties down to the place: `x[]` for array
   * items, `x{}` for map values (`SpanRecord.attributes.peer.service`, `Catalog.incidents[]`).
   */
  path: string;
  /** An object's property (so present/absent count). */
  property: boolean;
  optional: boolean;
  nullable: boolean;
  /** The enum (or const) values; null when any value of its type goes. */
  values: Json[] | null;
}

const valuesOf = (s: Schema): Json[] | null => s.enum ?? (s.const !== undefined ? [s.const] : null);

/** Whether a value can be an instance of a (resolved) union member: by `type`, and by a `type` field's literal (events). */
function matchesType(member: Schema, value: Json): boolean {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (member.type && member.type !== kind && !(member.type === 'number' && kind === 'integer')) return false;
  if (member.enum && !member.enum.includes(value)) return false;
  if (member.const !== undefined && member.const !== value) return false;
  const tag = member.properties?.type?.const;
  return tag === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value) && value.type === tag);
}

export class SchemaUsage {
  readonly seen = new Map<string, Seen>();
  private readonly byId: Map<string, Schema>;

  constructor(schemas: readonly TSchema[]) {
    this.byId = new Map(schemas.map((s) => [String((s as Schema).$id), s as Schema]));
  }

  resolve(s: Schema): Schema {
    return s.$ref ? (this.byId.get(s.$ref) ?? assert.fail(`unknown $ref ${s.$ref}`)) : s;
  }

  at(path: string): Seen {
    let s = this.seen.get(path);
    if (!s) this.seen.set(path, (s = { visits: 0, present: 0, absent: 0, nulls: 0, values: new Map() }));
    return s;
  }

  /** Notes a value that validated against the named schema `id`. */
  observe(id: string, value: Json): void {
    this.walk({ $ref: id }, value, id);
  }

  private walk(schema: Schema, value: Json, path: string): void {
    if (schema.$ref) return this.walk(this.resolve(schema), value, schema.$ref);
    if (schema.anyOf) {
      // Nullable (X | null) or a union disjoint on `type` (the events): exactly one member matches.
      const members = schema.anyOf.filter((m) => matchesType(this.resolve(m), value));
      assert.equal(members.length, 1, `${path}: one member of anyOf for ${JSON.stringify(value).slice(0, 80)}`);
      this.at(path); // reached; the member counts the value
      return this.walk(members[0] as Schema, value, path);
    }
    const here = this.at(path);
    here.visits++;
    if (value === null) here.nulls++;
    if (valuesOf(schema)) here.values.set(JSON.stringify(value), (here.values.get(JSON.stringify(value)) ?? 0) + 1);
    if (schema.type === 'array' && schema.items && Array.isArray(value)) for (const v of value) this.walk(schema.items, v, `${path}[]`);
    if (schema.type === 'object' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        const p = `${path}.${key}`;
        if (key in value) {
          this.at(p).present++;
          this.walk(sub, value[key] as Json, p);
        } else this.at(p).absent++;
      }
      for (const sub of Object.values(schema.patternProperties ?? {})) for (const v of Object.values(value)) this.walk(sub, v, `${path}{}`);
    }
  }

  /** Every place the named schemas `ids` declare, following their $refs (each named schema once). */
  declared(ids: readonly string[]): { places: Declared[]; reached: Set<string> } {
    const reached = new Set<string>();
    const places: Declared[] = [];
    const declare = (schema: Schema, path: string, property: boolean, optional: boolean): void => {
      if (schema.$ref) {
        if (!reached.has(schema.$ref)) {
          reached.add(schema.$ref);
          declare(this.resolve(schema), schema.$ref, false, false);
        }
        return;
      }
      const members = schema.anyOf ?? [];
      const nonNull = members.filter((m) => m.type !== 'null');
      const nullable = nonNull.length < members.length;
      places.push({ path, property, optional, nullable, values: valuesOf(schema) ?? (nullable && nonNull.length === 1 ? valuesOf(nonNull[0] as Schema) : null) });
      for (const m of [...nonNull, schema]) {
        if (m.$ref) declare(m, path, false, false);
        if (m.items) declare(m.items, `${path}[]`, false, false);
        for (const [key, sub] of Object.entries(m.properties ?? {})) declare(sub, `${path}.${key}`, true, !(m.required ?? []).includes(key));
        for (const sub of Object.values(m.patternProperties ?? {})) declare(sub, `${path}{}`, false, false);
      }
    };
    for (const id of ids) declare({ $ref: id }, id, false, false);
    return { places, reached };
  }

  /**
   * Where the schemas `ids` declare more than the values observed use: a list of findings, empty
   * when every place is needed.
   * @param rare enum values allowed never to occur, by place.
   * @param unneededNulls nullable places allowed never to be null, by place.
   */
  looser(ids: readonly string[], options: { rare?: ReadonlyMap<string, readonly Json[]>; neverNull?: readonly string[] } = {}): string[] {
    const problems: string[] = [];
    for (const d of this.declared(ids).places) {
      const s = this.seen.get(d.path);
      if (!s) {
        problems.push(`${d.path}: never reached`);
        continue;
      }
      if (d.property && s.present === 0) problems.push(`${d.path}: declared, never written`);
      if (d.optional && s.absent === 0) problems.push(`${d.path}: optional, but always written`);
      if (!d.optional && s.absent > 0) problems.push(`${d.path}: required, but sometimes absent`);
      if (d.nullable && s.nulls === 0 && !(options.neverNull ?? []).includes(d.path)) problems.push(`${d.path}: nullable, but never null`);
      if (d.nullable && s.nulls === s.visits && s.visits > 0) problems.push(`${d.path}: always null`);
      if (!d.nullable && s.nulls > 0) problems.push(`${d.path}: null, but not nullable`);
      if (d.values) {
        const rare = options.rare?.get(d.path) ?? [];
        const missing = d.values.filter((v) => v !== null && !s.values.has(JSON.stringify(v)) && !rare.includes(v));
        if (missing.length > 0) problems.push(`${d.path}: enum values never written: ${missing.map((v) => JSON.stringify(v)).join(', ')}`);
      }
    }
    return problems;
  }
}
