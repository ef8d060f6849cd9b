// Flow/Jupyter-style keyboard for the Deepbrook notebook. Widgets live in shadow DOM, so cells are found through
// event.composedPath() and a deep query; Python gets small messages and decides what they mean.
function cellIdOf(path) {
  for (const n of path) {
    if (!n.classList) continue
    for (const c of n.classList) if (c.startsWith('db-cell-id-')) return c.slice('db-cell-id-'.length)
  }
  return null
}
function hasClass(path, cls) { return path.some(n => n.classList && n.classList.contains(cls)) }
function deepQueryAll(root, selector, out = []) {
  if (root.querySelectorAll) for (const el of root.querySelectorAll(selector)) out.push(el)
  const all = root.querySelectorAll ? root.querySelectorAll('*') : []
  for (const el of all) if (el.shadowRoot) deepQueryAll(el.shadowRoot, selector, out)
  return out
}
function deepQuery(root, selector) { return deepQueryAll(root, selector)[0] || null }
function editorOf(cellId) {
  const cell = deepQuery(document, '.db-cell-id-' + cellId)
  if (!cell) return null
  return deepQuery(cell.shadowRoot || cell, 'textarea') || deepQuery(cell, 'textarea')
}
function retry(fn, tries = 40) {
  if (fn() || tries <= 0) return
  setTimeout(() => retry(fn, tries - 1), 50)
}

export function render({ model, el }) {
  let pendingD = 0
  // Served alone, the page is the notebook; inside Jupyter, command keys act only after a click in the notebook.
  let active = model.standalone
  function onKey(e) {
    const path = e.composedPath()
    const target = path[0] || e.target
    const tag = (target && target.tagName) || ''
    const typing = tag === 'TEXTAREA' || tag === 'INPUT' || tag === 'SELECT' || (target && target.isContentEditable)
    const cell = cellIdOf(path)
    const inEditor = typing && cell !== null && hasClass(path, 'db-editor')
    if (inEditor) {
      let key = null
      if (e.key === 'Enter' && e.shiftKey) key = 'run-next'
      else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) key = 'run'
      else if (e.key === 'Enter' && e.altKey) key = 'run-insert'
      else if (e.key === 'Escape') key = 'escape'
      if (key === null) return
      e.preventDefault(); e.stopPropagation()
      if (key === 'escape') target.blur()
      model.send_msg({ type: 'key', key: key, cell: cell, value: target.value })
      return
    }
    if (typing || !active || e.ctrlKey || e.metaKey || e.altKey) return
    let key = null
    const k = e.key
    if (k === 'd') {
      const now = Date.now()
      if (now - pendingD < 800) { key = 'dd'; pendingD = 0 } else { pendingD = now; return }
    } else if (['a', 'b', 'm', 'y', 'j', 'k', 'r'].includes(k)) key = k
    else if (k === 'ArrowDown') key = 'j'
    else if (k === 'ArrowUp') key = 'k'
    else if (k === 'Enter') key = 'enter'
    else if (k === 'Escape') key = 'escape'
    if (key === null) return
    e.preventDefault()
    if (key === 'enter') {  // focus right here, so keys typed next cannot race a round trip to Python
      // (only when the selection is settled: while it moves, two cells carry the class and Python decides)
      const sel = deepQueryAll(document, '.db-selected')
      const t = sel.length === 1 ? deepQuery(sel[0].shadowRoot || sel[0], 'textarea') : null
      if (t) { t.focus(); return }  // focusin tells Python; a second focus from Python could land after Esc
    }
    model.send_msg({ type: 'key', key: key, cell: cell, value: null })
  }
  function onFocus(e) {
    const path = e.composedPath()
    const cell = cellIdOf(path)
    if (cell !== null && hasClass(path, 'db-editor')) model.send_msg({ type: 'focus', cell: cell })
  }
  function onClick(e) {
    const path = e.composedPath()
    active = model.standalone || hasClass(path, 'db-notebook')
    const cell = cellIdOf(path)
    if (cell !== null && !hasClass(path, 'db-editor')) model.send_msg({ type: 'select', cell: cell })
  }
  // the tab's id survives a reload (sessionStorage), so the server can give the tab its autosaved notebook back
  if (model.standalone) {
    let tab = null
    try {
      tab = sessionStorage.getItem('deepbrook-tab')
      if (!tab || !/^[0-9a-f]{32}$/.test(tab)) {
        const bytes = new Uint8Array(16)
        crypto.getRandomValues(bytes)
        tab = Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')
        sessionStorage.setItem('deepbrook-tab', tab)
      }
    } catch (err) { tab = null }  // storage disabled: no autosave for this tab
    if (tab) model.send_msg({ type: 'tab', id: tab })
  }
  document.addEventListener('keydown', onKey, true)
  document.addEventListener('focusin', onFocus, true)
  document.addEventListener('mousedown', onClick, true)
  model.on('msg:custom', (msg) => {
    if (msg.focus) retry(() => { const t = editorOf(msg.focus); if (t) { t.focus(); return true } return false })
    if (msg.blur) { const a = document.activeElement; if (a && a.blur) a.blur() }
    if (msg.scroll) retry(() => {
      const c = deepQuery(document, '.db-cell-id-' + msg.scroll)
      if (!c) return false
      // scroll only when the cell's top is out of sight: never move the page under the user's pointer needlessly
      const top = c.getBoundingClientRect().top
      if (top < 0 || top > window.innerHeight - 40) c.scrollIntoView({ block: 'start' })
      return true
      return false
    })
  })
  model.on('remove', () => {
    document.removeEventListener('keydown', onKey, true)
    document.removeEventListener('focusin', onFocus, true)
    document.removeEventListener('mousedown', onClick, true)
  })
  el.style.display = 'none'
}
