// The projector: follows the workshop live; counts update at once, the rest is fetched again.
// If the connection drops, a small note says so, so nobody trusts a frozen screen.
import { refresh, startCountdowns, status, throttle } from './common.js'

const root = document.getElementById('projector')
if (root && window.io) {
  const region = document.getElementById('projector-panel')
  const connection = document.getElementById('projector-connection')
  const socket = window.io({ auth: { as: 'projector', workshop: Number(root.dataset.workshop), token: root.dataset.token }, reconnectionDelayMax: 10000 })
  const update = throttle(function () { refresh(root.dataset.panelUrl, region) }, 500)

  function offline (text) {
    root.dataset.live = 'no'
    status(connection, text, 'offline')
    if (connection) connection.hidden = false
  }

  socket.on('connect', function () {
    root.dataset.live = 'yes'
    if (connection) { connection.hidden = true; connection.textContent = '' }
    update() // catch up on anything missed while the connection was down
  })
  socket.on('disconnect', function () { offline('Reconnecting… This screen may be out of date.') })
  socket.on('connect_error', function (err) {
    offline(err && err.message === 'not allowed' ? 'This projector link no longer works.' : 'Reconnecting… This screen may be out of date.')
  })
  socket.on('state', update)
  // Counts change at once; the panel is then redrawn (throttled) so any revealed results follow.
  socket.on('tally', function (t) {
    const answered = document.getElementById('projector-answered-count')
    // "Fewer than 5" until 5 have answered: the server never sends the exact number here.
    const shown = t.answered_display
    if (answered && shown) answered.textContent = shown.charAt(0).toUpperCase() + shown.slice(1)
    const joined = document.getElementById('projector-joined')
    if (joined && t.joined !== undefined) joined.textContent = t.joined
    update()
  })
  startCountdowns(document)

  // The presence number changes every minute: draw the panel again just after it does.
  let presenceTimer = null
  const followPresence = function () {
    clearTimeout(presenceTimer)
    const shown = document.getElementById('projector-presence')
    const left = shown ? Number(shown.dataset.left) : 0
    if (left > 0) presenceTimer = setTimeout(function () { refresh(root.dataset.panelUrl, region).then(followPresence, followPresence) }, left * 1000 + 300)
    else presenceTimer = setTimeout(followPresence, 5000)
  }
  followPresence()
}
