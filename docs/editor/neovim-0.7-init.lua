-- Neovim 0.7 (Debian bookworm): no vim.lsp.start / vim.lsp.config yet.
local client_id
vim.api.nvim_create_autocmd("FileType", {
  pattern = "python",
  callback = function(args)
    if not client_id then
      client_id = vim.lsp.start_client({
        name = "loopsafe",
        cmd = { os.getenv("LOOPSAFE") or "loopsafe", "server" },
        root_dir = vim.fn.getcwd(),
      })
    end
    vim.lsp.buf_attach_client(args.buf, client_id)
  end,
})
vim.diagnostic.config({ virtual_text = true, signs = true, severity_sort = true })
