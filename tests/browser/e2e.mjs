// End to end in a real browser: the dashboard example, and the pages of
// `analyze --format html`, in Debian's Chromium driven by playwright-core.
//
// Environment: AVIS_SOURCE (source tree), DASHBOARD and ANALYZE (programs),
// WORK (where reports and screenshots go), CHROMIUM (the browser).
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const { AVIS_SOURCE, DASHBOARD, ANALYZE, WORK, CHROMIUM } = process.env;
const ARTICLES = join(AVIS_SOURCE, 'examples', 'articles');
const POSITIVE = join(ARTICLES, 'critique-film-positive.txt');
const LEGACY = join(ARTICLES, 'avis-cp1252.txt');
const STEP_MS = 15000;

let passed = 0, failed = 0;
function check(name, ok, detail = '') {
  if (ok) { passed++; console.log(`ok - ${name}`); }
  else { failed++; console.log(`not ok - ${name} ${detail}`); }
}

function analyzeJson(file) {
  return JSON.parse(execFileSync(ANALYZE, ['--json', file], {
    env: { ...process.env, AVIS_DATA_DIR: AVIS_SOURCE },
  }).toString());
}

// Writes `analyze --format html ARGS` to WORK/name; `status` is the exit
// status expected (1 when an input fails).
function writeReport(args, name, status = 0) {
  const run = spawnSync(ANALYZE, ['--format', 'html', ...args], {
    env: { ...process.env, AVIS_DATA_DIR: AVIS_SOURCE },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (run.status !== status || !run.stdout.length)
    throw new Error(`analyze --format html ${args.join(' ')}: exit ${run.status}`);
  const path = join(WORK, name);
  writeFileSync(path, run.stdout);
  return path;
}

// Node's TextDecoder may lack Windows-1252 (it then decodes Latin-1), so
// the bytes 0x80-0x9F are mapped here; 0x81, 0x8D, 0x8F, 0x90, 0x9D stay
// as they are, as in the library.
const CP1252_HIGH = '€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8DŽ\x8F\x90‘’“”•–—˜™š›œ\x9DžŸ';
function decodeWindows1252(bytes) {
  return Array.from(bytes, (b) =>
    (b >= 0x80 && b < 0xA0 ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b))).join('');
}

// Starts the dashboard on a free port of 127.0.0.1; resolves to its URL.
function startDashboard() {
  const proc = spawn(DASHBOARD, ['--port', '0', '--data-dir', AVIS_SOURCE],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the dashboard did not start')), STEP_MS);
    proc.on('exit', (code) => reject(new Error(`the dashboard exited with ${code}`)));
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) { clearTimeout(timer); resolve({ proc, url: m[1] }); }
    });
  });
}

// Console errors, page errors and requests that left the page's own origin.
function watch(page, origin) {
  const problems = [];
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`); });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('request', (req) => {
    if (!req.url().startsWith(origin) && !req.url().startsWith('data:'))
      problems.push(`request to ${req.url()}`);
  });
  return problems;
}

async function testDashboard(context, url) {
  const page = await context.newPage();
  const problems = watch(page, url);
  await page.goto(url);
  check('the results are hidden before an analysis', await page.locator('#results').isHidden());

  const expected = analyzeJson(POSITIVE);
  const article = readFileSync(POSITIVE, 'utf8');
  await page.fill('#text', article);
  await page.click('#analyze');
  await page.locator('#results').waitFor({ state: 'visible', timeout: STEP_MS });

  const label = page.locator('#label');
  check('the sentiment label is shown', (await label.textContent()) === expected.sentiment.label_fr
    && (await label.getAttribute('class')).includes(expected.sentiment.label),
    await label.textContent());
  const points = await page.locator('#timeline circle.point').count();
  check('the timeline has one point a sentence', points === expected.sentences.length && points > 1,
    `${points} points, ${expected.sentences.length} sentences`);

  const marks = await page.locator('#marked mark').evaluateAll((els) =>
    els.map((e) => ({ text: e.textContent, cls: e.className })));
  const drivers = [...expected.sentiment.drivers].sort((a, b) => a.start - b.start);
  const sameMarks = marks.length === drivers.length && marks.every((m, i) =>
    m.text === drivers[i].text && m.cls === (drivers[i].contribution > 0 ? 'pos' : 'neg'));
  check('every driver is highlighted, byte offsets converted right', sameMarks,
    JSON.stringify(marks.slice(0, 5)));
  check('positive and negative words are both highlighted',
    marks.some((m) => m.cls === 'pos') && marks.some((m) => m.cls === 'neg'));
  check('an accented word is highlighted whole', marks.some((m) => m.text === 'généreuse'));
  check('the highlighted text is the whole article',
    (await page.locator('#marked').textContent()) === article);

  const topicsShown = await page.locator('#topics-card').isVisible();
  const bars = await page.locator('#topics rect.bar').count();
  check('topic bars shown when the result has topics',
    expected.topics.length ? topicsShown && bars > 0 : !topicsShown,
    `${expected.topics.length} topics, shown ${topicsShown}, ${bars} bars`);

  await page.screenshot({ path: join(WORK, 'dashboard.png'), fullPage: true });

  // An uploaded Windows-1252 file goes as bytes and comes back decoded.
  const legacy = analyzeJson(LEGACY);
  await page.setInputFiles('#file', LEGACY);
  await page.waitForFunction((n) =>
    document.querySelectorAll('#timeline circle.point').length === n
      && document.querySelector('#text').value.includes('é'),
  legacy.sentences.length, { timeout: STEP_MS });
  const decoded = decodeWindows1252(readFileSync(LEGACY));
  check('an uploaded Windows-1252 file is analysed and shown decoded',
    (await page.inputValue('#text')) === decoded
      && (await label.textContent()) === legacy.sentiment.label_fr);
  check('no console error, no request elsewhere on the dashboard', problems.length === 0,
    problems.join('; '));

  // The browser reports the failed request itself; nothing else may appear.
  await page.fill('#text', '   ');
  await page.click('#analyze');
  await page.locator('#status.error').waitFor({ timeout: STEP_MS });
  check('an empty text shows the server\'s error',
    /empty/.test(await page.locator('#status').textContent()));
  check('the error is the only problem reported', problems.length === 1
    && /status of 422/.test(problems[0]), problems.join('; '));
  await page.close();
}

async function testReport(context) {
  const path = writeReport([POSITIVE], 'report.html');
  const expected = analyzeJson(POSITIVE);
  const page = await context.newPage();
  const problems = watch(page, pathToFileURL(path).href);
  await page.goto(pathToFileURL(path).href);
  const timeline = page.locator('svg.timeline');
  check('report: the timeline has one point a sentence',
    (await timeline.locator('circle.point').count()) === expected.sentences.length
      && Number(await timeline.getAttribute('data-sentences')) === expected.sentences.length);
  check('report: the sentiment label and gauge are shown',
    (await page.locator('.verdict .label').textContent()) === expected.sentiment.label_fr
      && (await page.locator('svg.gauge .needle').count()) === 1);
  const tagged = expected.topics.filter((t) => t.tagged || t.share >= 0.005).length;
  check('report: topic bars', (await page.locator('svg.topics rect.bar').count())
    === Math.min(tagged, 10));
  const marks = await page.locator('.text mark').count();
  check('report: the drivers are highlighted', marks === expected.sentiment.drivers.length,
    `${marks} marks`);
  check('report: no console error, no network', problems.length === 0, problems.join('; '));
  const box = await timeline.boundingBox();
  check('report: the timeline is drawn at a readable size', box && box.width > 500 && box.height > 100);
  await page.screenshot({ path: join(WORK, 'report.png'), fullPage: true });
  await page.close();
}

async function testSummary(context) {
  const path = writeReport([ARTICLES, join(WORK, 'missing.txt')], 'summary.html', 1);
  const page = await context.newPage();
  const problems = watch(page, pathToFileURL(path).href);
  await page.goto(pathToFileURL(path).href);
  const bins = page.locator('svg.histogram rect.bar');
  const counts = await bins.evaluateAll((els) =>
    els.map((e) => Number(e.querySelector('title').textContent.split(': ')[1])));
  const documents = Number(await page.locator('.stats div:first-child b').textContent());
  const errors = Number(await page.locator('.stats div:nth-child(2) b').textContent());
  check('summary: the histogram counts every analysed document',
    counts.length === 20 && counts.reduce((a, b) => a + b, 0) === documents - errors && errors === 1,
    `${counts} for ${documents} documents, ${errors} errors`);
  check('summary: most positive and most negative documents listed',
    (await page.locator('.ranking').count()) === 2
      && (await page.locator('.ranking td.pos').count()) > 0
      && (await page.locator('.ranking td.neg').count()) > 0);
  check('summary: the failed input is listed',
    (await page.locator('.errors td').first().textContent()).endsWith('missing.txt'));
  check('summary: no console error, no network', problems.length === 0, problems.join('; '));
  await page.screenshot({ path: join(WORK, 'summary.png'), fullPage: true });
  await page.close();
}

const profile = mkdtempSync(join(tmpdir(), 'avis-chromium-'));
let dashboard, context;
try {
  dashboard = await startDashboard();
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1100, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30000,
  });
  context.setDefaultTimeout(STEP_MS);
  await testDashboard(context, dashboard.url);
  await testReport(context);
  await testSummary(context);
} catch (err) {
  check('the browser tests ran to the end', false, err.stack);
} finally {
  if (context) await context.close();
  if (dashboard) dashboard.proc.kill('SIGTERM');
  rmSync(profile, { recursive: true, force: true });
}
console.log(`screenshots in ${WORK}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
