// The moderation queue: say when new comments or alerts arrive, without reloading the page
// under the facilitator's hands (they may be half-way through hiding a comment).
import { status } from './common.js'

const note = document.getElementById('moderation-live')
if (note && window.io) {
  const socket = window.io({ auth: { as: 'console', workshop: Number(note.dataset.workshop) } })
  // The event is sent only when the queue changes, so every one is news.
  socket.on('moderation', function (counts) {
    note.textContent = ''
    const text = document.createTextNode(
      (counts.alerts ? 'Safeguarding alerts: ' + counts.alerts + '. ' : '') +
      'Comments waiting: ' + counts.pending + '. ')
    const link = document.createElement('a')
    link.href = window.location.pathname
    link.className = 'govuk-link'
    link.textContent = 'Show the latest'
    note.append(text, link)
    note.className = 'govuk-body cg-status cg-status--saving'
  })
  socket.on('disconnect', function () { status(note, 'Connection lost. Reload to see new comments.', 'offline') })
}
