// The web console in a real browser: Debian's Chromium driven by playwright-core, against a real
// server (an API key configured, a fresh data directory). One server and one browser for the
// whole flow, step by step: paste a key, see a field error from the API, submit a 3-day job, watch
// it finish, open an incident and its chart with the window shaded, open a trace's waterfall,
// download the archive, read the page at a phone's width, and delete the job from the list. Each
// step leaves a screenshot in test-output/console/; MELT_UPDATE_SCREENSHOTS=1 also refreshes the
// README's (docs/console-*.png).
import type { FastifyInstance } from 'fastify';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildApp } from '../../src/app.ts';
import { tempDir } from '../helpers/dataset.ts';
import { unzip } from '../helpers/zip.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
// Without these, Chromium reaches for the network (updates, sync, QUIC probes) and stalls here.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OUT = join(ROOT, 'test-output', 'console');
const KEY = 'console-test-key-0123456789';
/**
 * Small and quick: three days, two hosts a service, 30-minute samples; this seed's 12 incidents
 * include a CASCADING_FAILURE (failed spans in its traces) that cascades.
 */
const JOB = { days: '3', seed: '12', hostsPerService: '2', granularityMinutes: '30', incidentRate: '2' };

/** Builds the console when dist/web is missing or older than a source in web/ (a fresh clone's `npm ci` has built it). */
async function ensureConsoleBuilt(): Promise<void> {
  const index = join(ROOT, 'dist', 'web', 'index.html');
  const newest = (dir: string): number =>
    Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
  if (existsSync(index) && statSync(index).mtimeMs >= newest(join(ROOT, 'web'))) return;
  await run('npm', ['run', 'build:web'], { cwd: ROOT });
}

test('the web console, in Chromium: key, submit, live progress, incident chart, trace waterfall, archive, phone width', { timeout: 240_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    // CI installs it (.ci/run); a developer's machine may not have it.
    if (process.env.CI) assert.fail(`${CHROMIUM} is missing: CI must install Debian's chromium (apt-get install chromium)`);
    t.skip(`${CHROMIUM} is not installed (apt-get install chromium): the browser test needs Debian's Chromium`);
    return;
  }
  await ensureConsoleBuilt();
  await mkdir(OUT, { recursive: true });
  const app: FastifyInstance = await buildApp({ dataDir: await tempDir(t, 'meltgen-console-'), apiKeys: [{ name: 'console', key: KEY }], threadsPerJob: 2 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  // A fresh profile (--user-data-dir) for each run; removed once the browser has exited, since
  // Chromium writes into it until then.
  const profile = await mkdtemp(join(tmpdir(), 'meltgen-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  t.after(async () => {
    await context.close();
    await app.close();
    await rm(profile, { recursive: true, force: true, maxRetries: 5 });
  });
  const page: Page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  const shot = async (name: string, fullPage = true): Promise<void> => {
    await page.screenshot({ path: join(OUT, `${name}.png`), fullPage });
  };

  await t.test('the page tells where to get a key, and takes one', async () => {
    await page.goto(base);
    await page.getByText('This server needs an API key').first().waitFor();
    assert.match(await page.locator('#keys + p').innerText(), /Ask its operator for one/);
    await shot('1-key');
    await page.getByLabel('Key', { exact: true }).fill(KEY);
    await page.getByRole('button', { name: 'Use key' }).click();
    await page.getByText('Key set').waitFor();
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    // Browser-side expressions are strings: this file is type-checked without the DOM's types.
    assert.equal(await page.evaluate("sessionStorage.getItem('meltgen.apiKey')"), KEY);
  });

  await t.test('the form shows the API’s field errors next to their fields, the size and the JSON to post', async () => {
    await page.getByRole('link', { name: 'New job', exact: true }).first().click();
    await page.getByRole('heading', { name: 'New job' }).waitFor();
    const before = errors.length;
    await page.getByLabel('Days', { exact: true }).fill('0');
    await page.locator('#err-days').getByText('must be >= 1').waitFor();
    assert.equal(await page.getByLabel('Days', { exact: true }).getAttribute('aria-invalid'), 'true');
    // The 400 of the estimate is the browser's own console line for a failed request, and wanted here.
    assert.ok(errors.splice(before).every((e) => /status of 400/.test(e)), 'only the 400 of the estimate');
    for (const [name, value] of Object.entries(JOB)) await page.locator(`#f-${name}`).fill(value);
    await page.getByLabel('NDJSON').check();
    await page.locator('#err-days').waitFor({ state: 'hidden' });
    await page.locator('#estimate').getByText(/About .* · 3 days · 10 hosts/).waitFor();
    const posted = JSON.parse((await page.locator('#json-preview').textContent()) ?? '') as Record<string, unknown>;
    assert.deepEqual(posted, { days: 3, topology: 'default', difficulty: 'easy', formats: ['json', 'ndjson'], seed: 12, hostsPerService: 2, granularityMinutes: 30, incidentRate: 2 });
    await shot('2-submit');
  });

  let jobId = '';
  let incidentUrl = '';
  await t.test('a submitted job shows live progress until it has succeeded', async () => {
    await page.getByRole('button', { name: 'Submit job' }).click();
    await page.waitForURL(/#\/jobs\/[0-9a-f-]{36}$/);
    jobId = /#\/jobs\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? '';
    await page.locator('#job-title').waitFor();
    await shot('3-running');
    await page.locator('#job-title ~ [data-status="succeeded"]').waitFor({ timeout: 120_000 });
    assert.match(await page.locator('#job-progress').innerText(), /3 of 3 days/);
    await page.locator('#report-summary').waitFor({ timeout: 60_000 });
    assert.match(await page.locator('#report-summary').innerText(), /checks pass/);
  });

  await t.test('the jobs list shows the job with its status', async () => {
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    const row = page.locator(`tr[data-job="${jobId}"]`);
    await row.locator('[data-status="succeeded"]').waitFor();
    assert.ok(await row.getByRole('button', { name: `Delete job ${jobId.slice(0, 8)}` }).isVisible());
    await shot('4-jobs');
    await row.getByRole('link', { name: `Open job ${jobId.slice(0, 8)}` }).click();
    await page.locator('#incident-table').waitFor();
  });

  await t.test('an incident opens its hosts’ charts with the window shaded and the label roles marked, and its events', async () => {
    const timelineBars = await page.locator('#timeline button.bar').count();
    assert.ok(timelineBars > 0, 'the timeline has bars');
    // The primary CASCADING_FAILURE: its root-cause host has a chart, and its traces fail.
    const rows = page.locator('#incident-table tbody tr.primary', { hasText: 'CASCADING_FAILURE' });
    assert.equal(await rows.count(), 1, 'the primary CASCADING_FAILURE');
    await rows.first().getByRole('button').click();
    await page.locator('#incident-title').waitFor();
    incidentUrl = page.url();
    assert.match(incidentUrl, /#\/jobs\/[0-9a-f-]{36}\/incidents\/[0-9a-f-]{36}$/, 'the open incident is in the address');
    const chart = page.locator('figure.chart').first();
    await chart.locator('canvas').waitFor();
    const shade = chart.locator('.incident-window');
    const box = await shade.boundingBox();
    const plot = await chart.locator('.u-over').boundingBox();
    assert.ok(box && plot && box.width > 4 && box.x >= plot.x - 1 && box.x + box.width <= plot.x + plot.width + 1, `the window is shaded inside the plot: ${JSON.stringify({ box, plot })}`);
    assert.ok((await page.locator('figure.chart .role-mark').count()) > 0, 'label roles are marked');
    assert.ok((await page.locator('figure.chart .badge.role-root-cause, figure.chart .badge.role-symptom').count()) > 0, 'a host’s role is named');
    await page.locator('#incident-events li').first().waitFor();
    await shot('5-incident');
    await page.locator('#incident').screenshot({ path: join(OUT, '5-incident-detail.png') });
  });

  await t.test('a trace of the incident opens as a waterfall with its failed spans marked', async () => {
    const first = page.locator('#trace-list button.trace-button').first();
    await first.waitFor();
    await first.click();
    await page.locator('#waterfall tbody tr').first().waitFor();
    assert.ok((await page.locator('#waterfall tbody tr').count()) > 1, 'a trace of several spans');
    // Failed traces are listed first: the one opened has failed spans, marked in words too.
    assert.ok((await page.locator('#trace-list .failed-badge').count()) > 0, 'traces with failures are listed');
    assert.ok((await page.locator('#waterfall tr[data-failed="true"]').count()) > 0, 'failed spans are marked');
    assert.match(await page.locator('#waterfall tr[data-failed="true"]').first().innerText(), /✕ 5\d\d/);
    await page.locator('#waterfall').scrollIntoViewIfNeeded();
    await shot('6-trace');
    await page.locator('#incident').screenshot({ path: join(OUT, '6-trace-detail.png') });
  });

  await t.test('the archive downloads as a zip of melt_data/', async () => {
    await page.locator('#downloads').scrollIntoViewIfNeeded();
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-archive').click()]);
    assert.match(download.suggestedFilename(), /^meltgen-12-[0-9a-f]{8}\.zip$/);
    const path = await download.path();
    const entries = await unzip(await readFile(path));
    assert.ok(entries.has('melt_data/metadata/incident_catalog.json'));
    for (const date of ['2024-06-01', '2024-06-02', '2024-06-03']) {
      assert.ok(entries.has(`melt_data/metrics/2024-06/metrics_${date}.json`), date);
      assert.ok(entries.has(`melt_data/metrics/2024-06/metrics_${date}.ndjson`), `${date} ndjson`);
    }
    assert.ok(await page.locator('#download-ndjson').isVisible(), 'a button per format');
  });

  await t.test('readable at a phone’s width, usable by keyboard', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    // The incident's address opens the job with the incident shown.
    await page.goto(incidentUrl);
    await page.locator('figure.chart canvas').first().waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    // The elements that stick out, for the message.
    const wide = await page.evaluate<string[]>(`[...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.scroll'))
      .slice(0, 5).map((el) => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))`);
    assert.ok(overflow <= 1, `no sideways scrolling of the page (${overflow}px): ${wide.join('; ')}`);
    await shot('7-phone');
    await page.locator('#incident').screenshot({ path: join(OUT, '7-phone-incident.png') });
    // Keyboard: from a fresh load of a page, the skip link comes first.
    await page.goto(`${base}/#/jobs/${jobId}`);
    await page.reload();
    await page.locator('#incident-table').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Skip to content');
    // Every form control of the new-job form has a label.
    await page.goto(`${base}/#/new`);
    await page.locator('#f-days').waitFor();
    const unlabelled = await page.evaluate<string[]>(`[...document.querySelectorAll('input, select, textarea')]
      .filter((el) => !(el.id && document.querySelector('label[for="' + el.id + '"]')) && !el.closest('label') && !el.getAttribute('aria-label'))
      .map((el) => el.outerHTML)`);
    assert.deepEqual(unlabelled, [], 'every control has a label');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await t.test('a job is deleted from the list', async () => {
    await page.goto(`${base}/#/`);
    const row = page.locator(`tr[data-job="${jobId}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: `Delete job ${jobId.slice(0, 8)}` }).click();
    await row.waitFor({ state: 'detached' });
    assert.equal((await app.inject({ url: `/v1/jobs/${jobId}`, headers: { authorization: `Bearer ${KEY}` } })).statusCode, 404);
  });

  await t.test('no console errors', () => {
    assert.deepEqual(errors, []);
  });

  if (process.env.MELT_UPDATE_SCREENSHOTS === '1') {
    await copyFile(join(OUT, '6-trace-detail.png'), join(ROOT, 'docs', 'console-incident.png'));
    await copyFile(join(OUT, '2-submit.png'), join(ROOT, 'docs', 'console-submit.png'));
  }
});
