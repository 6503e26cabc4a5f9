// Shared helpers for the phone, console and projector pages. No framework, no build step.
// Loaded as an ES module (like GOV.UK Frontend), so old browsers without modules simply
// get the plain HTML forms, which work on their own.
import { initAll } from '../vendor/govuk-frontend/govuk-frontend.min.js'

export function initComponents (scope) {
  document.body.classList.add('govuk-frontend-supported')
  try { initAll({ scope: scope || document }) } catch (e) { /* a page without components */ }
}

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

// Replace a region's HTML with a fresh copy from the server, keeping keyboard focus in place.
export async function refresh (url, region) {
  const active = document.activeElement && document.activeElement.id
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
  if (!response.ok) return false
  region.innerHTML = await response.text()
  initComponents(region)
  if (active) {
    const again = document.getElementById(active)
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
