// The dashboard in headless Chromium (Debian's package) driven by playwright-core: run by
// e2e/dashboard-e2e.sh, which sets up the cluster, the operator and the ServiceAccounts, and reads
// the ok/FAIL lines printed here. Every request the browser makes goes to 127.0.0.1; anything else
// is aborted and fails the run.
//
// Environment: DASHBOARD_URL (http://127.0.0.1:PORT/dashboard/), NS, MD, VIEWER_TOKEN,
// DEPLOYER_TOKEN, ROLL_PATCH (the merge patch that starts the rollout), SHOTS (screenshot
// directory), USER_DATA_DIR (a fresh Chromium profile), KUBECTL (a command that runs kubectl
// against the cluster, split on spaces).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

// playwright-core lives in the cache (scripts/browser.sh), found through NODE_PATH, which only
// require() reads.
const { chromium } = createRequire(import.meta.url)('playwright-core');

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const URL_BASE = env('DASHBOARD_URL');
const NS = env('NS');
const MD = env('MD');
const SHOTS = env('SHOTS');
const [KUBECTL, ...KUBECTL_ARGS] = env('KUBECTL').split(' ');

let failures = 0;
const ok = (m) => console.log(`ok   - ${m}`);
const fail = (m, detail) => {
  failures++;
  console.log(`FAIL - ${m}`);
  if (detail) for (const line of String(detail).split('\n').slice(0, 30)) console.log(`       | ${line}`);
};
const kubectl = (...args) => execFileSync(KUBECTL, [...KUBECTL_ARGS, ...args], { encoding: 'utf8' }).trim();
const field = (path) => kubectl('-n', NS, 'get', 'md', MD, '-o', `jsonpath=${path}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// check NAME FN: FN throws or returns false on failure; a thrown message goes into the report.
async function check(name, fn) {
  try {
    const r = await fn();
    if (r === false) fail(name); else ok(typeof r === 'string' ? `${name}: ${r}` : name);
    return r !== false;
  } catch (e) {
    fail(name, e.message);
    return false;
  }
}

const context = await chromium.launchPersistentContext(env('USER_DATA_DIR'), {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
});
const offLoopback = [];
await context.route('**/*', (route) => {
  const u = new URL(route.request().url());
  if (u.hostname === '127.0.0.1') return route.continue();
  offLoopback.push(u.href);
  return route.abort();
});
const page = context.pages()[0] || await context.newPage();
const consoleErrors = [];
page.on('pageerror', (e) => consoleErrors.push(e.message));

const text = (sel) => page.locator(sel).first().textContent({ timeout: 1000 }).catch(() => null);
async function waitText(sel, want, seconds) {
  const deadline = Date.now() + seconds * 1000;
  let last = null;
  while (Date.now() < deadline) {
    last = await text(sel);
    if (last !== null && (want instanceof RegExp ? want.test(last) : last.trim() === want)) return last.trim();
    await sleep(250);
  }
  throw new Error(`${sel}: waited ${seconds} s for ${want}, last saw ${JSON.stringify(last)}`);
}
// A table row's cells, joined for the report.
const row = (sel) => page.locator(`${sel} td`).allTextContents().then((cells) => cells.join(' | '));
async function signIn(token) {
  await page.locator('#token').fill(token);
  await page.locator('#token-form button[type=submit]').click();
}

try {
  await page.goto(URL_BASE);
  await check('the page asks for a token first', async () => page.locator('#sign-in').isVisible());
  await signIn(env('VIEWER_TOKEN'));
  await page.goto(`${URL_BASE}#/ns/${NS}`);
  const listed = await check(`viewer sees ${MD} in the list of ${NS}`, async () => {
    await page.locator(`#md-list tr[data-name="${MD}"]`).waitFor({ timeout: 20000 });
    const phase = await waitText(`#md-list tr[data-name="${MD}"] .phase`, 'Healthy', 20);
    const stable = await text(`#md-list tr[data-name="${MD}"] td.stable`);
    if (stable.trim() !== field('{.status.stableRevision}')) throw new Error(`stable ${stable} in the page`);
    return `${phase}, stable ${stable.trim()}, as kubectl says`;
  });
  await page.screenshot({ path: `${SHOTS}/list.png`, fullPage: true });
  if (!listed) throw new Error('no list, nothing more to check');

  await page.locator(`#md-list tr[data-name="${MD}"] a`).click();
  await page.locator('#detail-view').waitFor({ state: 'visible', timeout: 10000 });
  const v1 = field('{.status.stableRevision}');
  kubectl('-n', NS, 'patch', 'md', MD, '--type', 'merge', '-p', env('ROLL_PATCH'));
  let v2 = '';
  await check('the page follows the canary to 20 %', async () => {
    await waitText('#candidate-weight', '20 %', 60);
    v2 = (await text('#candidate-revision')).trim();
    if (!v2 || v2 === v1) throw new Error(`candidate revision ${v2} in the page`);
    const step = await text('#steps li.current');
    return `candidate ${v2} at 20 %, step "${step}" highlighted`;
  });
  await check('the page follows the canary to 50 % and the open pause', async () => {
    await waitText('#candidate-weight', '50 %', 60);
    const step = await waitText('#steps li.current', 'pause until promoted', 20);
    const stableWeight = await text('#stable-weight');
    if (stableWeight.trim() !== '50 %') throw new Error(`stable at ${stableWeight}`);
    if (await page.locator('#traffic-chart path.line').count() !== 1) throw new Error('no line in the traffic chart');
    const k = field('{.status.traffic.stable}/{.status.traffic.candidate} {.status.currentStep}');
    if (k !== '50/50 3') throw new Error(`kubectl says ${k}`);
    return `"${step}" highlighted; kubectl agrees (stable/candidate, step: ${k})`;
  });
  await check('status.history: the rollout in progress is listed, its traffic in the chart', async () => {
    await waitText('#history tbody tr:first-child', new RegExp(`${v2}.*in progress`), 10);
    const note = await text('#chart-note');
    if (!note.includes(`candidate ${v2} during this rollout (status.history)`)) throw new Error(`chart note: ${note}`);
    return row('#history tbody tr:first-child');
  });
  await page.screenshot({ path: `${SHOTS}/canary-50.png`, fullPage: true });

  await page.locator('button[data-action=promote]').click();
  await check('promote as the viewer: the permission error is shown', async () =>
    waitText('#action-error', `promote refused: you may not patch modeldeployments in namespace ${NS}`, 15));
  await page.screenshot({ path: `${SHOTS}/permission-error.png`, fullPage: true });
  await sleep(3000);
  await check('promote as the viewer: the rollout is unchanged (kubectl)', async () => {
    const k = field('{.status.candidateRevision} {.status.traffic.candidate} {.metadata.annotations.modelship\\.io/action}');
    if (k !== `${v2} 50`) throw new Error(`kubectl says "${k}", want "${v2} 50" and no action annotation`);
    return `candidate ${v2} still at 50 %, no modelship.io/action annotation`;
  });

  await page.locator('#sign-out').click();
  await signIn(env('DEPLOYER_TOKEN'));
  await page.goto(`${URL_BASE}#/ns/${NS}/md/${MD}`);
  await waitText('#candidate-weight', '50 %', 20);
  await check('set weight 70 as the deployer: the page shows the candidate at 70 %', async () => {
    await page.locator('#weight').fill('70');
    await page.locator('#set-weight').click();
    await waitText('#candidate-weight', '70 %', 30);
    const k = field('{.status.traffic.candidate} {.status.manualWeight}');
    if (k !== '70 70') throw new Error(`kubectl says "${k}", want "70 70" (traffic.candidate, manualWeight)`);
    return `candidate ${v2} at 70 %; kubectl agrees (traffic.candidate, status.manualWeight: ${k})`;
  });
  await page.locator('button[data-action=promote]').click();
  await check('promote as the deployer: the page shows the new revision at 100 %', async () => {
    await waitText('#stable-revision', v2, 90);
    await waitText('#stable-weight', '100 %', 30);
    const deadline = Date.now() + 30000;
    while (await page.locator('#candidate-revision').count() > 0) {
      if (Date.now() > deadline) throw new Error('a candidate is still shown');
      await sleep(250);
    }
    return `stable ${v2}, 100 %`;
  });
  await check('status.history: the rollout is listed as Promoted', async () => {
    await waitText('#history tbody tr:first-child', new RegExp(`${v2}.*Promoted`), 20);
    return row('#history tbody tr:first-child');
  });
  await page.screenshot({ path: `${SHOTS}/after-promote.png`, fullPage: true });
  await check('promote as the deployer: kubectl agrees', async () => {
    const k = field('{.status.stableRevision} {.status.traffic.stable} {.status.candidateRevision}');
    if (k !== `${v2} 100`) throw new Error(`kubectl says "${k}"`);
    return `stableRevision ${v2}, traffic.stable 100`;
  });
  // Analysis figures need the router's counters (real pods); the gates and their limits are
  // checked on examples/iris-canary.yaml, applied beside.
  await check('analysis gates of iris-canary shown against their limits', async () => {
    await page.goto(`${URL_BASE}#/ns/${NS}/md/iris-canary`);
    const gates = [['samples', '≥ 50'], ['errorRate', '≤ 1 %'], ['latencyP99Ms', '≤ 500 ms']];
    for (const [gate, limit] of gates) await waitText(`#analysis tr[data-gate=${gate}] td:nth-child(3)`, limit, 20);
    const rows = [];
    for (const [gate] of gates) rows.push(await row(`#analysis tr[data-gate=${gate}]`));
    return rows.join('; ');
  });
  await check('pause and resume as the deployer: spec.paused set, then removed (kubectl)', async () => {
    const paused = () => kubectl('-n', NS, 'get', 'md', 'iris-canary', '-o', 'jsonpath={.spec.paused}');
    await page.locator('button[data-action=pause]').click();
    await waitText('#md-summary', /· paused/, 20);
    if (paused() !== 'true') throw new Error(`after pause, spec.paused is "${paused()}"`);
    await page.locator('button[data-action=resume]').click();
    await waitText('#md-summary', /^(?!.*paused)/, 20);
    if (paused() !== '') throw new Error(`after resume, spec.paused is "${paused()}"`);
    return 'true, then absent';
  });
  await check('the page raised no script errors', async () => {
    if (consoleErrors.length) throw new Error(consoleErrors.join('\n'));
    return true;
  });
} catch (e) {
  fail('browser run stopped', e.stack || e.message);
} finally {
  if (offLoopback.length) fail('requests off 127.0.0.1 were made (and aborted)', offLoopback.join('\n'));
  else ok('every browser request went to 127.0.0.1');
  await context.close();
}
process.exit(failures === 0 ? 0 : 1);
