/**
 * The simulation view's script, bundled by esbuild into dist/webview.js and
 * loaded by the webview under a nonce. It draws what the extension posts and
 * posts back the line of whatever the user clicks.
 */
import type { FromWebview, ToWebview } from './messages';
import { renderSimulation } from './render';

interface VsCodeApi {
  postMessage(msg: FromWebview): void;
  getState(): ToWebview | undefined;
  setState(state: ToWebview): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;

function show(msg: ToWebview): void {
  root.innerHTML = renderSimulation(msg.simulation);
  document.body.dataset.rendered = 'true';
}

function target(e: Event): number | undefined {
  const el = (e.target as Element | null)?.closest?.('[data-line]');
  const line = el ? Number(el.getAttribute('data-line')) : NaN;
  return Number.isFinite(line) && line > 0 ? line : undefined;
}

root.addEventListener('click', (e) => {
  const line = target(e);
  if (line !== undefined) vscode.postMessage({ type: 'reveal', line });
});
root.addEventListener('keydown', (e) => {
  if (e.key !== 'Enter' && e.key !== ' ') return;
  const line = target(e);
  if (line !== undefined) {
    e.preventDefault();
    vscode.postMessage({ type: 'reveal', line });
  }
});

window.addEventListener('message', (e: MessageEvent<ToWebview>) => {
  if (e.data?.type !== 'show') return;
  vscode.setState(e.data);
  show(e.data);
});

const saved = vscode.getState();
if (saved) show(saved);
vscode.postMessage({ type: 'ready' });
