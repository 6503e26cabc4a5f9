// Shared helpers for the phone, console and projector pages. No framework, no build step.
// Loaded as an ES module, so old browsers without modules simply get the plain HTML forms,
// which work on their own.
//
// GOV.UK Frontend's JavaScript (11 KB compressed) is not loaded: our pages need only three
// small things from it, done here. Follow-up questions have their own code below; the
// character count is a few lines; a page with an error summary moves focus to it.

export function initComponents (scope) {
  const root = scope || document
  document.body.classList.add('govuk-frontend-supported')
  syncReveals(root)
  root.querySelectorAll('.govuk-character-count').forEach(characterCount)
  const summary = root.querySelector('.govuk-error-summary[tabindex]')
  if (summary && !summary.dataset.focused) { summary.dataset.focused = 'yes'; summary.focus() }
}

// "You have 123 characters left" under a text box: shown at once, and told to screen
// readers (through a polite live region) once the typing stops, not at every key.
function characterCount (group) {
  const box = group.querySelector('textarea')
  const shown = group.querySelector('.govuk-character-count__message')
  const max = Number(group.dataset.maxlength)
  if (!box || !shown || !max || group.dataset.counting) return
  group.dataset.counting = 'yes'
  const told = document.createElement('div')
  told.className = 'govuk-visually-hidden'
  told.setAttribute('aria-live', 'polite')
  shown.after(told)
  const words = group.dataset.left || 'You have {n} characters left.'
  let timer = null
  const update = function () {
    shown.textContent = words.replace('{n}', String(Math.max(0, max - box.value.length)))
    clearTimeout(timer)
    timer = setTimeout(function () { told.textContent = shown.textContent }, 1000)
  }
  box.addEventListener('input', update)
  if (box.value) shown.textContent = words.replace('{n}', String(Math.max(0, max - box.value.length)))
}

// Follow-up questions shown under a chosen answer (<input data-reveal="id-of-the-follow-up">).
// Ours, not GOV.UK Frontend's conditional reveal: that one puts aria-expanded on radios,
// which ARIA does not allow there. Without a script every follow-up simply stays visible.
function syncReveals (scope) {
  scope.querySelectorAll('input[data-reveal]').forEach(function (input) {
    const target = document.getElementById(input.dataset.reveal)
    if (target) target.hidden = !input.checked
  })
}

document.addEventListener('change', function (event) {
  const input = event.target
  if (!input || (input.type !== 'radio' && input.type !== 'checkbox')) return
  const scope = input.form || document
  scope.querySelectorAll('input[data-reveal][name="' + input.name + '"]').forEach(function (other) {
    const target = document.getElementById(other.dataset.reveal)
    if (target) target.hidden = !other.checked
  })
})

export function status (el, text, kind) {
  if (!el) return
  el.textContent = text
  el.className = 'govuk-body cg-status' + (kind ? ' cg-status--' + kind : '')
}

// Run fn at most once per `wait` ms, always ending with a call after the last trigger.
export function throttle (fn, wait) {
  let timer = null
  let again = false
  return function () {
    if (timer) { again = true; return }
    fn()
    timer = setTimeout(function tick () {
      timer = null
      if (again) { again = false; fn(); timer = setTimeout(tick, wait) }
    }, wait)
  }
}

// Replace a region's HTML with a fresh copy from the server. Replies that arrive out of
// order are dropped (only the newest request may draw), keyboard focus stays on the same
// control (or moves to the region's heading if that control is gone), and <details> the
// user opened stay open.
const latest = new WeakMap()

export async function refresh (url, region) {
  const ticket = (latest.get(region) || 0) + 1
  latest.set(region, ticket)
  let response
  try {
    response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
  } catch (e) { return false }
  if (!response.ok) return false
  const html = await response.text()
  if (latest.get(region) !== ticket) return false
  const focused = document.activeElement
  const hadFocus = region.contains(focused)
  const active = hadFocus && focused.id
  const opened = Array.from(region.querySelectorAll('details[id][open]'), (d) => d.id)
  region.innerHTML = html
  opened.forEach(function (id) {
    const again = document.getElementById(id)
    if (again) again.open = true
  })
  initComponents(region)
  if (hadFocus) {
    const again = (active && document.getElementById(active)) || region.querySelector('[data-focus-fallback]')
    if (again) again.focus()
  }
  startCountdowns(region)
  return true
}

export function startCountdowns (scope) {
  (scope || document).querySelectorAll('[data-ends]').forEach(function (el) {
    const ends = Date.parse(el.getAttribute('data-ends'))
    const tick = function () {
      if (!document.body.contains(el)) return
      const left = Math.max(0, Math.round((ends - Date.now()) / 1000))
      el.textContent = 'Time left: ' + Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0')
      if (left > 0) setTimeout(tick, 1000)
    }
    tick()
  })
}
