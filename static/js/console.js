// The facilitator's console: controls go over Socket.IO (or as plain forms without it);
// the panel is re-fetched from the server whenever the workshop changes.
import { initComponents, refresh, startCountdowns, status, throttle } from './common.js'

const root = document.getElementById('console')
if (root && window.io) {
  const workshop = Number(root.dataset.workshop)
  const region = document.getElementById('console-panel')
  const connection = document.getElementById('connection')
  const socket = window.io({ auth: { as: 'console', workshop: workshop } })
  const update = throttle(function () { refresh(root.dataset.panelUrl, region) }, 400)

  socket.on('connect', function () { status(connection, 'Live: this page updates by itself.', 'saved') })
  socket.on('disconnect', function () { status(connection, 'Connection lost. Trying again… Buttons still work.', 'offline') })
  socket.on('connect_error', function (err) {
    status(connection, err && err.message === 'not allowed' ? 'Please log in again.' : 'Cannot connect. Buttons still work.', 'offline')
  })
  socket.on('state', update)
  socket.on('tally', update)
  socket.on('moderation', update)

  region.addEventListener('submit', function (event) {
    const form = event.target.closest('.cg-control')
    if (!form || !socket.connected) return // no socket: the plain form posts as usual
    event.preventDefault()
    const button = form.querySelector('button')
    const argument = form.querySelector('[name=argument]')
    const data = { action: form.querySelector('[name=action]').value }
    if (argument) data.argument = Number(argument.value)
    button.disabled = true
    socket.timeout(8000).emit('control', data, function (err, ack) {
      button.disabled = false
      if (err) { status(connection, 'That took too long. Please try again.', 'offline'); return }
      if (!ack.ok) status(connection, ack.error, 'error')
      update()
    })
  })
  initComponents(document)
  startCountdowns(document)
}
