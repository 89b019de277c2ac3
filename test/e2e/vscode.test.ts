/**
 * End to end in a real VS Code: code-server (VS Code served to a browser,
 * with a node extension host) driven by Debian's Chromium through
 * playwright-core. It installs the packaged folio-lens.vsix, opens a
 * kernel-style file with a leaked folio reference, and checks what a user
 * sees: the squiggle, the Problems entry, the hover on a lifecycle call, the
 * status bar item, the simulation view with its picture (from the code lens
 * and from the command palette), and a click in the picture revealing the
 * line, and Check Patch on a .patch file (the summary notification, the
 * introduced leak squiggled in the patch). Screenshots go to test-output/e2e/.
 *
 * Run it with `npm run test:e2e` (test/e2e/run.sh installs code-server and
 * Chromium, packages the .vsix and sets FOLIO_LENS_E2E=1); under `npm test`
 * it is skipped.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const OUT = path.join(ROOT, 'test-output', 'e2e');
const CODE_SERVER_VERSION = '4.100.3';
const CACHE = process.env.FOLIO_LENS_E2E_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'folio-lens-e2e');
const CODE_SERVER = path.join(CACHE, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', '.bin', 'code-server');
const VSIX = path.join(ROOT, 'folio-lens.vsix');
const FILE = 'fs/leakfs/inode.c';

const enabled = process.env.FOLIO_LENS_E2E === '1';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}

interface Env {
  dir: string;
  ws: string;
  env: NodeJS.ProcessEnv;
  args: string[];
}

/** A fresh folder for this run: workspace, VS Code user data, extensions, XDG homes. */
function prepare(): Env {
  const dir = path.join(OUT, 'run');
  fs.rmSync(dir, { recursive: true, force: true });
  const ws = path.join(dir, 'workspace');
  fs.cpSync(path.join(ROOT, 'test', 'e2e', 'workspace'), ws, { recursive: true });
  const userData = path.join(dir, 'user-data');
  const exts = path.join(dir, 'extensions');
  for (const d of [path.join(userData, 'User'), exts, path.join(dir, 'xdg-config'), path.join(dir, 'xdg-data')]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.colorTheme': 'Default Dark Modern',
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'security.workspace.trust.enabled': false,
        'extensions.ignoreRecommendations': true,
        'editor.hover.delay': 150,
        'editor.minimap.enabled': false,
        'editor.codeLens': true,
        'window.restoreWindows': 'none',
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'chat.commandCenter.enabled': false,
        'git.enabled': false,
        'git.openRepositoryInParentFolders': 'never',
      },
      null,
      2,
    ),
  );
  const env = { ...process.env, XDG_CONFIG_HOME: path.join(dir, 'xdg-config'), XDG_DATA_HOME: path.join(dir, 'xdg-data') };
  const args = ['--user-data-dir', userData, '--extensions-dir', exts];
  return { dir, ws, env, args };
}

async function startCodeServer(e: Env): Promise<{ proc: ChildProcess; url: string; log: () => string }> {
  const port = await freePort();
  const config = path.join(e.dir, 'config.yaml');
  fs.writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  let log = '';
  const proc = spawn(
    CODE_SERVER,
    [
      '--config', config, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, ...e.args,
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
      '--disable-getting-started-override', '--ignore-last-opened', e.ws,
    ],
    { env: e.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout!.on('data', (b: Buffer) => (log += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  const url = `http://127.0.0.1:${port}`;
  await until('code-server to listen', 60_000, async () => {
    if (proc.exitCode !== null) throw new Error(`code-server exited (${proc.exitCode}):\n${log}`);
    if (!/HTTP server listening/.test(log)) return undefined;
    try {
      return (await fetch(`${url}/healthz`)).ok ? true : undefined;
    } catch {
      return undefined;
    }
  });
  return { proc, url, log: () => log };
}

function stop(proc: ChildProcess | undefined): void {
  if (proc?.pid && proc.exitCode === null) {
    try {
      process.kill(-proc.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(OUT, `${name}.png`) });
}

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

async function goToLine(page: Page, line: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
}

function webview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

async function cursorLine(page: Page): Promise<number | undefined> {
  const t = await page.locator('#status\\.editor\\.selection').textContent().catch(() => null);
  const m = /Ln (\d+)/.exec(t ?? '');
  return m ? Number(m[1]) : undefined;
}

test('the extension in a real VS Code: squiggle, Problems, hover, status bar, simulation view, check patch', { skip: !enabled && 'run with npm run test:e2e', timeout: 180_000 }, async (t) => {
  assert.ok(fs.existsSync(CODE_SERVER), `no code-server at ${CODE_SERVER}: run test/e2e/setup.sh`);
  assert.ok(fs.existsSync(VSIX), 'no folio-lens.vsix: run npm run package');
  fs.mkdirSync(OUT, { recursive: true });
  for (const f of fs.readdirSync(OUT)) if (f.endsWith('.png')) fs.rmSync(path.join(OUT, f));
  const t0 = Date.now();
  const e = prepare();
  const timings: Record<string, number> = {};
  const mark = (what: string) => (timings[what] = Date.now() - t0);

  const inst = spawnSync(CODE_SERVER, [...e.args, '--install-extension', VSIX], { env: e.env, encoding: 'utf8' });
  assert.equal(inst.status, 0, `install-extension failed:\n${inst.stdout}\n${inst.stderr}`);
  assert.match(inst.stdout, /successfully installed/i);
  mark('vsix installed');

  let server: Awaited<ReturnType<typeof startCodeServer>> | undefined;
  let browser: Browser | undefined;
  try {
    server = await startCodeServer(e);
    mark('code-server listening');
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const csp: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) csp.push(m.text());
    });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(e.ws)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 30_000 });
    mark('workbench');
    // each step leaves a screenshot behind when it fails
    const step = (name: string, fn: () => Promise<void>) =>
      t.test(name, async () => {
        try {
          await fn();
        } catch (err) {
          await shot(page, `failed-${name.replace(/\W+/g, '-')}`).catch(() => undefined);
          throw err;
        }
      });

    await step('the file opens and the leak is squiggled', async () => {
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill('inode.c');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'inode.c' }).first().waitFor({ timeout: 30_000 });
      await page.keyboard.press('Enter');
      await page.locator('.tab', { hasText: 'inode.c' }).waitFor();
      await page.locator('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning').first().waitFor({ timeout: 60_000 });
      mark('squiggle');
      const status = page.locator('.statusbar-item', { hasText: 'Folio Lens' });
      await status.first().waitFor();
      // idle is the bare name (after a check icon); busy states add ': analysing', ': indexing N/M files'
      await until('the status bar to show idle', 30_000, async () => ((await status.first().textContent())?.trim() === 'Folio Lens' ? true : undefined));
      assert.ok(await status.first().locator('.codicon-check').count(), 'the idle icon');
      await sleep(300);
      await shot(page, '1-squiggle');
    });

    await step('the Problems panel lists the ref-leak', async () => {
      await page.keyboard.press('Control+Shift+M');
      const row = page.locator('.markers-panel .monaco-list-row', { hasText: /not dropped|ref-leak/ });
      await row.first().waitFor({ timeout: 15_000 });
      const text = (await page.locator('.markers-panel').textContent()) ?? '';
      assert.match(text, /ref-leak/);
      assert.match(text, /read_mapping_folio/);
      await shot(page, '2-problems');
      // room for the editor and the view: no panel, no side bar
      await page.keyboard.press('Control+J');
      await page.keyboard.press('Control+B');
      await page.locator('.markers-panel').waitFor({ state: 'hidden' });
    });

    await step('hovering a lifecycle call shows its contract', async () => {
      await goToLine(page, 20);
      const call = page.locator('.view-lines .view-line span span', { hasText: /^read_mapping_folio$/ }).first();
      await call.waitFor();
      const hover = page.locator('.monaco-hover-content', { hasText: 'read_mapping_folio' });
      await until('the hover', 20_000, async () => {
        const b = await call.boundingBox();
        if (!b) return undefined;
        await page.mouse.move(b.x + 2, b.y + b.height / 2);
        await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 3 });
        try {
          await hover.first().waitFor({ state: 'visible', timeout: 2_000 });
          return true;
        } catch {
          return undefined;
        }
      });
      mark('hover');
      await sleep(500); // the hover fades in
      await shot(page, '3-hover');
      await page.keyboard.press('Escape');
      await page.mouse.move(5, 500);
    });

    await step('the Simulate code lens opens the picture', async () => {
      const lens = page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Simulate' }).first();
      await lens.waitFor({ timeout: 20_000 });
      await lens.click();
      const wv = webview(page);
      await wv.locator('svg.lane-svg').first().waitFor({ timeout: 30_000 });
      mark('simulation view');
      assert.equal(await wv.locator('h1').textContent(), 'leakfs_read_block');
      assert.ok((await wv.locator('svg.lane-svg').count()) >= 2, 'one lane per path');
      assert.equal(await wv.locator('details.lane.has-violation').count(), 1, 'one path leaks');
      await wv.locator('g.step.violation').first().waitFor();
      fs.writeFileSync(path.join(OUT, 'csp.log'), csp.join('\n'));
      assert.deepEqual(csp, [], 'nothing breaks a Content Security Policy (the view has no inline style or script)');
      await sleep(300);
      await shot(page, '4-simulation');
    });

    await step('clicking a step reveals its line', async () => {
      const wv = webview(page);
      const step = wv.locator('g.step.violation').first();
      const line = Number(await step.getAttribute('data-line'));
      assert.equal(line, 27);
      // the view may still be wiring its message handler right after it is drawn:
      // click again if the editor has not moved after a few seconds
      let moved = false;
      for (let attempt = 0; attempt < 3 && !moved; attempt++) {
        await step.locator('rect.col-bg').click({ force: true });
        moved = await until(`the cursor on line ${line}`, 4_000, async () => ((await cursorLine(page)) === line ? true : undefined)).then(() => true, () => false);
      }
      assert.ok(moved, `clicking the violating step did not move the cursor to line ${line}`);
    });

    await step('the command palette simulates the function at the cursor', async () => {
      await goToLine(page, 49);
      await runCommand(page, 'Folio Lens: Simulate Function');
      const wv = webview(page);
      await until('the view to show leakfs_write_block', 30_000, async () => ((await wv.locator('h1').textContent().catch(() => null)) === 'leakfs_write_block' ? true : undefined));
      assert.equal(await wv.locator('g.step.violation').count(), 0);
      assert.ok((await wv.locator('.g-writeback.set').count()) > 0, 'writeback shown set after folio_start_writeback');
      await sleep(300);
      await shot(page, '5-simulation-palette');
    });

    await step('Check Patch on an open .patch: the summary, and the introduced leak on its + line', async () => {
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill('busy-writeback.patch');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'busy-writeback.patch' }).first().waitFor({ timeout: 30_000 });
      await page.keyboard.press('Enter');
      await page.locator('.tab.active', { hasText: 'busy-writeback.patch' }).waitFor();
      await runCommand(page, 'Folio Lens: Check Patch');
      const toast = page.locator('.notification-toast', { hasText: /1 introduced, 0 fixed, 0 remaining/ });
      await toast.first().waitFor({ timeout: 30_000 });
      mark('check patch');
      assert.ok(await toast.first().locator('a.monaco-button, .monaco-button', { hasText: 'Show details' }).count(), 'a Show details button');
      await page.locator('.editor-instance .monaco-editor .squiggly-error').first().waitFor({ timeout: 15_000 });
      await sleep(300);
      await shot(page, '6-check-patch');
    });

    await step('lifetimes beyond the folio: the DAX mapping and the inode reference in the picture', async () => {
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill('dax.c');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'dax.c' }).first().waitFor({ timeout: 30_000 });
      await page.keyboard.press('Enter');
      await page.locator('.tab.active', { hasText: 'dax.c' }).waitFor();
      await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 60_000 });
      await goToLine(page, 23);
      await runCommand(page, 'Folio Lens: Simulate Function');
      const wv = webview(page);
      await until('the view to show daxfs_peek', 30_000, async () => ((await wv.locator('h1').textContent().catch(() => null)) === 'daxfs_peek' ? true : undefined));
      assert.equal(await wv.locator('details.lane.has-violation').count(), 1, 'one path uses the mapping after iput()');
      const labels = (await wv.locator('text.dim-label').allTextContents()).join('|');
      assert.match(labels, /iref inode/);
      assert.match(labels, /DAX kaddr/);
      assert.match((await wv.locator('.badge.error').first().textContent()) ?? '', /dax-use-after-inode-put/);
      await sleep(300);
      await shot(page, '7-lifetimes');
    });
  } catch (err) {
    if (server) fs.writeFileSync(path.join(OUT, 'code-server.log'), server.log());
    throw err;
  } finally {
    mark('done');
    fs.writeFileSync(path.join(OUT, 'timings.json'), JSON.stringify(timings, null, 2));
    await browser?.close().catch(() => undefined);
    stop(server?.proc);
  }
});
