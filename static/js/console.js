// The facilitator's console: controls go over Socket.IO (or as plain forms without it);
// the panel is fetched again from the server whenever the workshop changes.
import { initComponents, refresh, startCountdowns, status, throttle } from './common.js'

const root = document.getElementById('console')
if (root && window.io) {
  const workshop = Number(root.dataset.workshop)
  const region = document.getElementById('console-panel')
  const connection = document.getElementById('connection')
  const socket = window.io({ auth: { as: 'console', workshop: workshop }, reconnectionDelayMax: 10000 })
  const update = throttle(function () { refresh(root.dataset.panelUrl, region) }, 400)
  let busy = false

  socket.on('connect', function () {
    root.dataset.live = 'yes'
    status(connection, 'Live: this page updates by itself.', 'saved')
    update() // catch up on anything missed while the connection was down
  })
  socket.on('disconnect', function () {
    root.dataset.live = 'no'
    status(connection, 'Connection lost. Trying again… Buttons still work.', 'offline')
  })
  socket.on('connect_error', function (err) {
    root.dataset.live = 'no'
    status(connection, err && err.message === 'not allowed' ? 'Please log in again.' : 'Cannot connect. Buttons still work.', 'offline')
  })
  socket.on('state', update)
  socket.on('tally', update)
  socket.on('moderation', update)

  region.addEventListener('submit', function (event) {
    const form = event.target.closest('.cg-control')
    if (!form || !socket.connected) return // no socket: the plain form posts as usual
    event.preventDefault()
    if (busy) return // one control at a time; a double press must not skip two steps
    busy = true
    const button = form.querySelector('button')
    const argument = form.querySelector('[name=argument]')
    const data = { action: form.querySelector('[name=action]').value }
    if (argument) data.argument = Number(argument.value)
    // aria-disabled, not disabled: a disabled button would drop keyboard focus.
    button.setAttribute('aria-disabled', 'true')
    socket.timeout(8000).emit('control', data, function (err, ack) {
      busy = false
      button.removeAttribute('aria-disabled')
      if (err) { status(connection, 'That took too long. Please try again.', 'offline'); return }
      if (!ack.ok) status(connection, ack.error, 'error')
      else status(connection, 'Live: this page updates by itself.', 'saved')
      update()
    })
  })
  initComponents(document)
  startCountdowns(document)

  // The presence number changes every minute: fetch the panel again just after it does.
  let presenceTimer = null
  const followPresence = function () {
    clearTimeout(presenceTimer)
    const roomInfo = document.getElementById('console-room')
    const left = roomInfo ? Number(roomInfo.dataset.presenceLeft) : 0
    if (left > 0) presenceTimer = setTimeout(function () { refresh(root.dataset.panelUrl, region).then(followPresence, followPresence) }, left * 1000 + 300)
  }
  followPresence()
}
