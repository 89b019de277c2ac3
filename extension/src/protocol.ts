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
 * The command the server executes to review a patch: what it introduces,
 * fixes and leaves in the folio lifecycle of the functions it touches.
 */
export const CHECK_PATCH_COMMAND = 'foliolens.checkPatch';

/** Client-side command: the working tree's uncommitted changes (runs CHECK_PATCH_COMMAND with `uncommitted`). */
export const CHECK_UNCOMMITTED_COMMAND = 'foliolens.checkUncommitted';

/**
 * The argument of CHECK_PATCH_COMMAND: a .patch/.diff file (`uri`; `text`
 * when the editor has unsaved changes, else it is read from disk), applied
 * to the workspace folder that contains it (or the first one); or
 * `uncommitted`: the working tree of the git checkout of `folder` (a URI or
 * path; the first workspace folder by default) against HEAD.
 */
export type CheckPatchArgs =
  | { uri: string; text?: string }
  | { uncommitted: true; folder?: string };

/** A finding as `folio-lens patch --format json` prints it (lines 1-based). */
export interface PatchFinding {
  file: string;
  line: number;
  column: number;
  rule: string;
  severity: string;
  message: string;
  function: string;
  [k: string]: unknown;
}

/**
 * What CHECK_PATCH_COMMAND returns: the JSON of `folio-lens patch`, a one-line
 * `summary` ("1 introduced, 2 fixed, 1 remaining ...") and `text`, the
 * reply-ready text report.
 */
export interface CheckPatchResult {
  introduced: PatchFinding[];
  fixed: PatchFinding[];
  remaining: PatchFinding[];
  unanalysed?: { file: string; function?: string; reason: string }[];
  summary: string;
  text: string;
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
