/**
 * The simulation view: one webview panel, reused, beside the editor. The
 * picture is drawn by the webview's own script (extension/webview/, bundled
 * into dist/webview.js) from the simulation JSON; this side only posts the
 * JSON and reveals the line the user clicks.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'crypto';
import type { SimulationJson } from '../../server/src/format/simulate';
import type { FromWebview, ToWebview } from '../webview/messages';

export class SimulationView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private doc: vscode.Uri | undefined;
  private current: SimulationJson | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

  show(doc: vscode.Uri, sim: SimulationJson): void {
    this.doc = doc;
    this.current = sim;
    if (!this.panel) {
      this.panel = this.create();
    } else {
      this.panel.reveal(undefined, true);
    }
    this.panel.title = `Simulate ${sim.function}`;
    this.post();
  }

  private create(): vscode.WebviewPanel {
    const roots = [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'extension', 'media')];
    const panel = vscode.window.createWebviewPanel(
      'foliolens.simulation',
      'Simulate',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: roots, enableFindWidget: true },
    );
    panel.webview.html = this.html(panel.webview);
    panel.webview.onDidReceiveMessage((m: FromWebview) => {
      if (m.type === 'ready') this.post();
      else if (m.type === 'reveal') void this.reveal(m.line);
    });
    panel.onDidDispose(() => {
      this.panel = undefined;
    });
    return panel;
  }

  private post(): void {
    if (this.panel && this.current) {
      const msg: ToWebview = { type: 'show', simulation: this.current };
      void this.panel.webview.postMessage(msg);
    }
  }

  /** Shows 1-based `line` of the simulated document in the editor it is open in (or the first column). */
  private async reveal(line: number): Promise<void> {
    if (!this.doc) return;
    const doc = await vscode.workspace.openTextDocument(this.doc);
    const l = Math.min(Math.max(line - 1, 0), doc.lineCount - 1);
    const at = new vscode.Position(l, doc.lineAt(l).firstNonWhitespaceCharacterIndex);
    const open = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.doc!.toString());
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: open?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false });
    editor.selection = new vscode.Selection(at, at);
    editor.revealRange(doc.lineAt(l).range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'extension', 'media', 'simulation.css'));
    const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource} data:`, `script-src 'nonce-${nonce}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Folio Lens simulation</title>
</head>
<body>
<div id="root"><p>Simulating…</p></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
