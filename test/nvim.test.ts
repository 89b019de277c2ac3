/**
 * A second real client: headless Neovim (Debian's neovim 0.7, built-in LSP)
 * drives the language server over stdio, gets the diagnostic of a leak and a
 * hover. Skipped when `nvim` is not installed.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { SERVER_MAIN } from './lsp-client';

const HAS_NVIM = spawnSync('nvim', ['--version'], { encoding: 'utf8' }).status === 0;

const LEAK = `// SPDX-License-Identifier: GPL-2.0
#include <linux/pagemap.h>

static int demofs_peek(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio;

	folio = filemap_get_folio(mapping, index);
	if (IS_ERR(folio))
		return PTR_ERR(folio);
	if (!folio_test_uptodate(folio))
		return -EIO;
	folio_put(folio);
	return 0;
}
`;

// vim.lsp.start_client + buf_attach_client (0.7 has no vim.lsp.start); results go to a JSON file
const INIT = `
local server = os.getenv('FOLIO_LENS_SERVER')
local out = os.getenv('FOLIO_LENS_OUT')
local file = os.getenv('FOLIO_LENS_FILE')
local results = {}
local done = false
local function finish(ok, msg)
  if done then return end
  done = true
  results.ok = ok
  results.msg = msg
  local f = io.open(out, 'w')
  f:write(vim.fn.json_encode(results))
  f:close()
  vim.cmd('qa!')
end
local client_id = vim.lsp.start_client({
  name = 'folio-lens',
  cmd = { 'node', server, '--stdio' },
  root_dir = vim.fn.fnamemodify(file, ':h'),
  handlers = {
    ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
      vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
      if #result.diagnostics == 0 or results.diagnostics then return end
      results.diagnostics = result.diagnostics
      local bufnr = vim.uri_to_bufnr(result.uri)
      results.shown = #vim.diagnostic.get(bufnr)
      vim.lsp.buf_request(bufnr, 'textDocument/hover',
        { textDocument = { uri = result.uri }, position = { line = 7, character = 12 } },
        function(e, r)
          results.hover = r and r.contents and r.contents.value or vim.inspect(e)
          finish(true)
        end)
    end,
  },
})
vim.cmd('edit ' .. file)
vim.lsp.buf_attach_client(0, client_id)
vim.defer_fn(function() finish(false, 'timed out') end, 20000)
`;

test('headless Neovim gets the diagnostic and a hover over stdio', { skip: HAS_NVIM ? false : 'nvim is not installed' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'folio-lens-nvim-'));
  try {
    const file = path.join(dir, 'peek.c');
    const out = path.join(dir, 'out.json');
    fs.writeFileSync(file, LEAK);
    fs.writeFileSync(path.join(dir, 'init.lua'), INIT);
    const r = spawnSync('nvim', ['--headless', '--clean', '-u', path.join(dir, 'init.lua')], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 30000,
      env: { ...process.env, FOLIO_LENS_SERVER: SERVER_MAIN, FOLIO_LENS_OUT: out, FOLIO_LENS_FILE: file, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir, XDG_CACHE_HOME: dir },
    });
    assert.ok(fs.existsSync(out), `no result from nvim (status ${r.status}): ${r.stderr}${r.stdout}`);
    const res = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      ok: boolean;
      msg?: string;
      diagnostics: { code: string; source: string; range: { start: { line: number } }; message: string }[];
      shown: number;
      hover: string;
    };
    assert.equal(res.ok, true, res.msg);
    assert.equal(res.diagnostics.length, 1);
    assert.equal(res.diagnostics[0].code, 'ref-leak');
    assert.equal(res.diagnostics[0].source, 'folio-lens');
    assert.equal(res.diagnostics[0].range.start.line, 11);
    assert.equal(res.shown, 1, 'Neovim shows the diagnostic');
    assert.match(res.hover, /filemap_get_folio\(mapping, index\)/);
    assert.match(res.hover, /\*Source:\*/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
