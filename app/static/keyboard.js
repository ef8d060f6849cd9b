// Flow/Jupyter-style keyboard for the Deepbrook notebook.
// The browser owns the selection and the mode: a click, a key or a toolbar button changes them here at once (the
// classes db-selected / db-edit and the focus), then tells Python what happened, numbered (`seq`). Python follows
// and only pushes a selection back for what it decided itself (Run All, undo delete...), and the page takes it only
// when Python has seen every message sent so far. Keys typed for an editor that is not on the page yet (the cell
// inserted by `b`, "+ Below", Alt+Enter) are kept and written into it when it appears: none is lost or lands in
// another cell. Widgets live in shadow DOM, so cells are found through event.composedPath() and a deep query.
const ID = /^[0-9a-f]{10}$/
function cellIdOf(path) {
  for (const n of path) {
    if (!n.classList) continue
    for (const c of n.classList) if (c.startsWith('db-cell-id-')) return c.slice('db-cell-id-'.length)
  }
  return null
}
function hasClass(path, cls) { return path.some(n => n.classList && n.classList.contains(cls)) }
function classWith(path, prefix) {
  for (const n of path) {
    if (!n.classList) continue
    for (const c of n.classList) if (c.startsWith(prefix)) return c.slice(prefix.length)
  }
  return null
}
function deepQueryAll(root, selector, out = []) {
  if (root.querySelectorAll) for (const el of root.querySelectorAll(selector)) out.push(el)
  const all = root.querySelectorAll ? root.querySelectorAll('*') : []
  for (const el of all) if (el.shadowRoot) deepQueryAll(el.shadowRoot, selector, out)
  return out
}
function deepQuery(root, selector) { return deepQueryAll(root, selector)[0] || null }
function newId() {
  const bytes = new Uint8Array(5)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')
}
const TOOLBAR = { 'insert-above': 'a', 'insert-below': 'b', 'move-up': 'K', 'move-down': 'J', 'delete': 'dd', 'run': 'run' }

export function render({ model, el }) {
  let pendingD = 0
  // Served alone, the page is the notebook; inside Jupyter, command keys act only after a click in the notebook.
  let active = model.standalone
  let sel = null, mode = 'command', seq = 0
  let wanted = null  // the cell whose editor gets the focus as soon as Python has put it on the page
  const unwritten = new Map()  // cell id -> keys typed for its editor before it was on the page
  let container = null

  function cellEls() {
    if (!container || !container.isConnected) {
      container = deepQuery(document, '.db-cells')
      if (container) new MutationObserver(() => paint()).observe(container.shadowRoot || container, { childList: true })
    }
    const root = container && (container.shadowRoot || container)
    return root ? Array.from(root.querySelectorAll('.db-cell')) : deepQueryAll(document, '.db-cell')
  }
  function cellEl(id) { return cellEls().find(c => c.classList.contains('db-cell-id-' + id)) || null }
  function idOf(c) { return cellIdOf([c]) }
  function editorOf(id) {
    const c = cellEl(id)
    const ed = c && deepQuery(c.shadowRoot || c, '.db-editor')
    return ed ? deepQuery(ed.shadowRoot || ed, 'textarea') : null
  }
  function paint() {  // the classes follow this page's selection, whatever Python last rendered
    for (const c of cellEls()) {
      const on = sel !== null && c.classList.contains('db-cell-id-' + sel)
      c.classList.toggle('db-selected', on)
      c.classList.toggle('db-edit', on && mode === 'edit')
    }
  }
  function scrollTo(id) {
    const c = cellEl(id)
    if (!c) return false
    // scroll only when the cell's top is out of sight: never move the page under the user's pointer needlessly
    const top = c.getBoundingClientRect().top
    if (top < 0 || top > window.innerHeight - 40) c.scrollIntoView({ block: 'start' })
    return true
  }
  function send(msg) {
    seq += 1
    model.send_msg({ ...msg, seq: seq, sel: sel, mode: mode })
  }
  function blurActive() {
    const a = document.activeElement
    if (a && a.blur && a !== document.body) a.blur()
  }
  function select(id, m) {
    sel = id; mode = m
    if (m !== 'edit') { wanted = null; blurActive() }
    paint()
  }
  function edit(id) {  // edit mode on `id`: focus its editor now, or as soon as Python has put it on the page
    select(id, 'edit')
    const t = editorOf(id)
    if (t && !unwritten.has(id)) { wanted = null; t.focus(); return }
    wanted = id
    blurActive()  // keys typed meanwhile must not go to the old cell: they are kept for this one
    waitForEditors()
  }
  let waiting = false
  function waitForEditors() {  // write the kept keys into each editor once it is on the page; focus the wanted one
    if (waiting) return
    waiting = true
    const started = Date.now()
    const tick = () => {
      for (const id of new Set([...unwritten.keys(), wanted])) {
        const t = id === null ? null : editorOf(id)
        if (!t) continue
        const text = unwritten.get(id)
        unwritten.delete(id)
        if (text) {
          t.setRangeText(text, t.value.length, t.value.length, 'end')
          t.dispatchEvent(new Event('input', { bubbles: true }))
        }
        if (id === wanted) {
          wanted = null
          paint()
          if (sel === id && mode === 'edit') { t.focus(); scrollTo(id) }  // unless the user went elsewhere
        }
      }
      if ((wanted === null && unwritten.size === 0) || Date.now() - started > 120000) { waiting = false; return }
      setTimeout(tick, 20)
    }
    tick()
  }
  function neighbour(id, step) {
    const ids = cellEls().map(idOf)
    const i = ids.indexOf(id)
    if (i < 0) return ids.length ? ids[0] : null
    return ids[Math.max(0, Math.min(ids.length - 1, i + step))]
  }
  function afterRemoval(id) {  // the cell selected once `id` is gone: the next one, else the previous
    const ids = cellEls().map(idOf)
    const i = ids.indexOf(id)
    if (i < 0) return sel
    return i + 1 < ids.length ? ids[i + 1] : (i > 0 ? ids[i - 1] : null)
  }

  // one command on the selected cell, from a key or a toolbar button; true when it was one
  function command(key, editAfter) {
    const cell = sel
    if (key === 'a' || key === 'b' || key === 'v' || key === 'V') {
      const id = newId()
      if (editAfter) edit(id); else select(id, 'command')
      send({ type: 'key', key: key, cell: cell, new: id })
      if (!editAfter) waitForPaint(id, true)
      return true
    }
    if (cell === null) { send({ type: 'key', key: key, cell: null }); return true }
    if (key === 'dd' || key === 'x') {
      const next = afterRemoval(cell)
      select(next, 'command')
      send({ type: 'key', key: key, cell: cell })
      if (next) scrollTo(next)
      return true
    }
    if (key === 'j' || key === 'k') {
      const next = neighbour(cell, key === 'j' ? 1 : -1)
      select(next, 'command')
      send({ type: 'key', key: key, cell: cell })
      if (next) scrollTo(next)
      return true
    }
    if (key === 'enter') { edit(cell); send({ type: 'key', key: key, cell: cell }); return true }
    if (key === 'run') {
      const t = editorOf(cell)
      send({ type: 'key', key: 'run', cell: cell, value: t ? t.value : null })
      return true
    }
    send({ type: 'key', key: key, cell: cell })
    return true
  }
  function waitForPaint(id, scroll) {  // a cell Python may not have shown yet: paint it selected once it is there
    const started = Date.now()
    const tick = () => {
      if (sel !== id) return
      if (cellEl(id)) { paint(); if (scroll) scrollTo(id); return }
      if (Date.now() - started < 120000) setTimeout(tick, 20)
    }
    tick()
  }

  function keep(e) {  // a key typed while the editor it is meant for is not on the page yet
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return false
    if (e.key === 'Escape') { select(sel, 'command'); send({ type: 'key', key: 'escape', cell: sel }); return true }
    let text = unwritten.get(wanted) || ''
    if (e.key === 'Backspace') text = text.slice(0, -1)
    else if (e.key === 'Enter') text += '\n'
    else if (e.key === 'Tab') text += '\t'
    else if (e.key.length === 1) text += e.key
    else return false
    unwritten.set(wanted, text)
    return true
  }

  function onKey(e) {
    const path = e.composedPath()
    const target = path[0] || e.target
    const tag = (target && target.tagName) || ''
    const typing = tag === 'TEXTAREA' || tag === 'INPUT' || tag === 'SELECT' || (target && target.isContentEditable)
    const cell = cellIdOf(path)
    const inEditor = typing && cell !== null && hasClass(path, 'db-editor')
    if (wanted !== null && mode === 'edit' && !typing) {
      if (keep(e)) { e.preventDefault(); e.stopPropagation() }
      return
    }
    if (inEditor) {
      if (cell !== sel || mode !== 'edit') editing(cell)
      let key = null
      if (e.key === 'Enter' && e.shiftKey) key = 'run-next'
      else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) key = 'run'
      else if (e.key === 'Enter' && e.altKey) key = 'run-insert'
      else if (e.key === 'Escape') key = 'escape'
      if (key === null) return
      e.preventDefault(); e.stopPropagation()
      const value = target.value
      sel = cell
      if (key === 'escape') select(cell, 'command')
      else if (key === 'run-insert') { const id = newId(); edit(id); send({ type: 'key', key: key, cell: cell, value: value, new: id }); return }
      else if (key === 'run-next') {
        const next = neighbour(cell, 1)
        if (next === cell) { const id = newId(); edit(id); send({ type: 'key', key: key, cell: cell, value: value, new: id }); return }
        select(next, 'command')
        scrollTo(next)
      }
      send({ type: 'key', key: key, cell: cell, value: value })
      return
    }
    if (typing || !active) return
    // no browser undo/redo outside an editor: Chrome would undo the last edit of a cell that is not even focused
    if ((e.ctrlKey || e.metaKey) && ['z', 'Z', 'y', 'Y'].includes(e.key)) { e.preventDefault(); return }
    if (e.ctrlKey || e.metaKey || e.altKey) return
    let key = null
    const k = e.key
    if (k === 'd') {
      const now = Date.now()
      if (now - pendingD < 800) { key = 'dd'; pendingD = 0 } else { pendingD = now; return }
    } else if (['a', 'b', 'm', 'y', 'j', 'k', 'r', 'z', 'x', 'c', 'v', 'V', 's', 'h', 'K', 'J'].includes(k)) key = k
    else if (k === 'ArrowDown') key = 'j'
    else if (k === 'ArrowUp') key = 'k'
    else if (k === 'Enter') key = 'enter'
    else if (k === 'Escape') key = 'escape'
    if (key === null) return
    e.preventDefault()
    command(key, false)
  }
  function editing(cell) {  // the user put the cursor into `cell`'s editor
    if (wanted !== cell) wanted = null  // the user went elsewhere
    if (sel === cell && mode === 'edit') return
    select(cell, 'edit')
    send({ type: 'focus', cell: cell })
  }
  // The document hears focusin only when the focus comes from outside the notebook: between two editors (both
  // inside the cells' shadow roots) it is stopped where they meet. So a press into an editor selects its cell, and
  // so does the first key typed into an editor the page did not see focused (reached with Tab).
  function onFocus(e) {
    const path = e.composedPath()
    const cell = cellIdOf(path)
    if (cell !== null && hasClass(path, 'db-editor')) editing(cell)
  }
  function onMouseDown(e) {
    const path = e.composedPath()
    active = model.standalone || hasClass(path, 'db-notebook')
    const cell = cellIdOf(path)
    if (cell === null) return
    if (hasClass(path, 'db-editor')) { editing(cell); return }
    if (sel === cell && mode === 'command') return
    sel = cell; mode = 'command'; paint()
    const t = path[0]
    const tag = (t && t.tagName) || ''
    if (!['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(tag)) {  // leave an editor for command mode
      const a = document.activeElement
      if (a && a.blur && a !== document.body) a.blur()
    }
    send({ type: 'select', cell: cell })
  }
  function onClick(e) {  // the toolbar's cell buttons act here, on the cell this page shows selected
    const path = e.composedPath()
    const action = classWith(path, 'db-tb-')
    if (!(action in TOOLBAR)) return
    e.preventDefault(); e.stopPropagation()
    command(TOOLBAR[action], action.startsWith('insert'))
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
  send({ type: 'hello' })  // Python answers with its selection
  document.addEventListener('keydown', onKey, true)
  document.addEventListener('focusin', onFocus, true)
  document.addEventListener('mousedown', onMouseDown, true)
  document.addEventListener('click', onClick, true)
  model.on('msg:custom', (msg) => {
    // Python's own selection (Run All, undo delete, a cell written by an output's button...): taken only when
    // Python has seen all this page sent, and never while the user types in another cell
    if (msg.state && msg.state.ack >= seq) {
      const s = msg.state
      const typingElsewhere = mode === 'edit' && sel !== s.sel && wanted === null
      if (!typingElsewhere && ID.test(s.sel || '')) {
        if (s.mode === 'edit') edit(s.sel); else { select(s.sel, 'command'); waitForPaint(s.sel, s.scroll) }
      } else if (!s.sel) select(null, 'command')
    }
  })
  model.on('remove', () => {
    document.removeEventListener('keydown', onKey, true)
    document.removeEventListener('focusin', onFocus, true)
    document.removeEventListener('mousedown', onMouseDown, true)
    document.removeEventListener('click', onClick, true)
  })
  el.style.display = 'none'
}
