// NDJSON: one record a line, the same records and field order as the JSON day file. Made from
// the JSON file's bytes: each record is already one line there (`[`, `{…},` lines, `]`), so the
// two formats cannot drift apart.

const NEWLINE = 0x0a;
const COMMA = 0x2c;

/** The NDJSON bytes of a JSON day file as the writers make it (`[\n{…},\n{…}\n]\n`, or `[]\n`). */
export function ndjsonFromJsonArray(json: Uint8Array): Uint8Array {
  const out = new Uint8Array(json.length);
  let o = 0;
  // After "[\n", up to the "]\n" at the end; an empty day ("[]\n") has no line at all.
  const end = json.length - 2;
  for (let start = 2; start < end; ) {
    const nl = json.indexOf(NEWLINE, start);
    const lineEnd = json[nl - 1] === COMMA ? nl - 1 : nl;
    out.set(json.subarray(start, lineEnd), o);
    o += lineEnd - start;
    out[o++] = NEWLINE;
    start = nl + 1;
  }
  return out.subarray(0, o);
}
