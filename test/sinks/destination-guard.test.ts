import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDestination, DestinationRefused, isInternalAddress, parseAllowlist } from '../../src/sinks/destination-guard.ts';

const dns = (table: Record<string, string[]>) => async (host: string): Promise<string[]> => table[host] ?? [];

test('the allowlist parses host:port patterns and names a bad entry', () => {
  assert.deepEqual(parseAllowlist(' vm.internal:8428, *.example.com:443,[::1]:9090,*:9090 ,'), [
    { host: 'vm.internal', port: 8428, wildcard: false },
    { host: '*.example.com', port: 443, wildcard: true },
    { host: '::1', port: 9090, wildcard: false },
    { host: '*', port: 9090, wildcard: true },
  ]);
  assert.deepEqual(parseAllowlist(''), []);
  assert.throws(() => parseAllowlist('vm.internal'), /"vm.internal" is not host:port/);
  assert.throws(() => parseAllowlist('a:99999'), /"a:99999"/);
});

test('internal addresses: loopback, private, link-local, CGNAT, ULA, IPv4-mapped', () => {
  for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) assert.equal(isInternalAddress(a), true, a);
  for (const a of ['8.8.8.8', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8']) assert.equal(isInternalAddress(a), false, a);
});

test('a destination passes only through the allowlist; internal addresses only by exact name', async () => {
  const list = parseAllowlist('vm.internal:8428,*.example.com:443,127.0.0.1:9090');
  const resolve = dns({ 'vm.internal': ['10.0.0.5'], 'metrics.example.com': ['93.184.216.34'], 'sneaky.example.com': ['169.254.169.254'] });
  await checkDestination('http://vm.internal:8428/api/v1/import', list, resolve);
  await checkDestination('https://metrics.example.com/api/v1/write', list, resolve);
  await checkDestination('http://127.0.0.1:9090/api/v1/write', list, resolve);
  const refused = async (url: string, why: RegExp): Promise<void> => {
    await assert.rejects(checkDestination(url, list, resolve), (e: unknown) => e instanceof DestinationRefused && e.code === 'SINK_NOT_ALLOWED' && why.test(e.message), url);
  };
  await refused('https://sneaky.example.com/x', /resolves to an internal address/);
  await refused('http://vm.internal:9999/', /vm.internal:9999 is not in the server's sink allowlist/);
  await refused('http://127.0.0.1:8428/', /not in the server's sink allowlist/);
  await refused('http://metadata.google.internal/', /not in the server's sink allowlist/);
  await refused('file:///etc/passwd', /must be http/);
  await refused('http://user:secret@vm.internal:8428/', /credentials go in the headers/);
  await refused('not a url', /not a URL/);
  await assert.rejects(checkDestination('https://gone.example.com/', list, resolve), /does not resolve/);
  // Empty by default: nothing at all.
  await assert.rejects(checkDestination('https://metrics.example.com/', [], resolve), DestinationRefused);
});
