// The projector: follows the workshop live; counts update at once, the rest is re-fetched.
import { refresh, startCountdowns, throttle } from './common.js'

const root = document.getElementById('projector')
if (root && window.io) {
  const region = document.getElementById('projector-panel')
  const socket = window.io({ auth: { as: 'projector', workshop: Number(root.dataset.workshop), token: root.dataset.token } })
  const update = throttle(function () { refresh(root.dataset.panelUrl, region) }, 500)
  let lastResults = null

  socket.on('state', update)
  socket.on('tally', function (t) {
    const answered = document.getElementById('projector-answered-count')
    if (answered && t.answered !== null && t.answered !== undefined) answered.textContent = t.answered
    const joined = document.getElementById('projector-joined')
    if (joined) joined.textContent = t.joined
    const results = JSON.stringify(t.results)
    if (t.results && results !== lastResults) update()
    lastResults = results
  })
  socket.on('connect', update)
  startCountdowns(document)
}
