/**
 * What the client and the language server say to each other beyond LSP.
 * Plain names and types only: the server imports this file too, so it must
 * not import vscode or vscode-languageclient.
 */

/** The command the server executes (workspace/executeCommand) and the code lens invokes. */
export const SIMULATE_COMMAND = 'foliolens.simulateFunction';

/** The argument of SIMULATE_COMMAND: a position inside the function (0-based, as LSP). */
export interface SimulateArgs {
  uri: string;
  position: { line: number; character: number };
}

/**
 * Notification `foliolens/status`, server to client: what the server is doing.
 * Send it whenever the state changes; the client shows it in the status bar.
 *
 * - `idle`: nothing pending.
 * - `analysing`: re-analysing open documents (`file` may name the one).
 * - `indexing`: indexing the workspace, `done` of `total` files.
 * - `error`: something failed that the user should know about (`message`
 *   says what, e.g. a broken contracts file); the server keeps running.
 */
export const STATUS_NOTIFICATION = 'foliolens/status';

export type StatusState = 'idle' | 'analysing' | 'indexing' | 'error';

export interface StatusParams {
  state: StatusState;
  /** indexing: files indexed so far */
  done?: number;
  /** indexing: files to index */
  total?: number;
  /** analysing: the document being analysed (URI) */
  file?: string;
  /** error: what went wrong, one line */
  message?: string;
}
