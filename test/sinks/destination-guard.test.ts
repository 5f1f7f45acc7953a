import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDestination, createGuardedDispatcher, DestinationRefused, isInternalAddress, parseAllowlist } from '../../src/sinks/destination-guard.ts';
import { deliver, DeliveryError } from '../../src/sinks/http-delivery.ts';
import { emptyStats } from '../../src/sinks/sink.ts';
import { acceptingDestination } from '../helpers/servers.ts';

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

test('the guarded client checks every connection and connects to the address it checked (no DNS rebinding)', async (t) => {
  const port = await acceptingDestination(t);
  // Names that no real DNS knows: a request that succeeds went to the address the guard resolved.
  let answer = ['93.184.216.34'];
  const resolve = async (host: string): Promise<string[]> => (host.endsWith('.meltgen-test.invalid') ? answer : []);

  // Allowed by its exact name, the name resolves (here) to loopback: the request reaches the server.
  const exact = createGuardedDispatcher(parseAllowlist(`sink.meltgen-test.invalid:${port}`), resolve);
  answer = ['127.0.0.1'];
  const stats = emptyStats();
  await deliver(`http://sink.meltgen-test.invalid:${port}/api/v1/write`, 'x', 'text/plain', stats, { dispatcher: exact, backoffMs: 1 });
  assert.equal(stats.requestsRefused, 0);

  // Allowed by a wildcard: checked before sending it resolved outside; at connection time it
  // resolves to loopback (a rebinding): refused at once, not retried.
  const wildcard = parseAllowlist(`*.meltgen-test.invalid:${port}`);
  answer = ['93.184.216.34'];
  await checkDestination(`http://rebind.meltgen-test.invalid:${port}`, wildcard, resolve);
  answer = ['127.0.0.1'];
  const rebound = emptyStats();
  await assert.rejects(
    deliver(`http://rebind.meltgen-test.invalid:${port}/`, 'x', 'text/plain', rebound, { dispatcher: createGuardedDispatcher(wildcard, resolve), backoffMs: 1 }),
    (e: unknown) => e instanceof DeliveryError && /internal address/.test(e.message),
  );
  assert.deepEqual([rebound.requestsRefused, rebound.retries], [1, 0]);

  // A destination that left the allowlist (another port) is refused too.
  await assert.rejects(
    deliver(`http://127.0.0.1:${port + (port < 65535 ? 1 : -1)}/`, 'x', 'text/plain', emptyStats(), { dispatcher: exact, backoffMs: 1 }),
    (e: unknown) => e instanceof DeliveryError && /not in the server's sink allowlist/.test(e.message),
  );
});
