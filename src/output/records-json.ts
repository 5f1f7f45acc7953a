/**
 * One JSON array, one record per line: valid JSON for every reader, and line tools (grep, head,
 * split) still work on it. The layout of every day file.
 */
export function serializeRecords(records: readonly object[]): string {
  if (records.length === 0) return '[]\n';
  let out = '[\n';
  for (let i = 0; i < records.length; i++) out += (i === 0 ? '' : ',\n') + JSON.stringify(records[i]);
  return out + '\n]\n';
}
