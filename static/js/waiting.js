// "The room is full": ask every few seconds whether there is room, and join once there is.
// Without JavaScript the "Try again" button does the same.
const form = document.getElementById('room-wait')
if (form) {
  const note = document.getElementById('room-status')
  const EVERY = 4000
  if (note) note.textContent = note.dataset.tWaiting
  const check = function () {
    fetch(form.dataset.roomUrl, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { return r.json() })
      .then(function (state) {
        if (state && state.open) {
          if (note) note.textContent = note.dataset.tJoining
          form.submit()
        } else if (!state || !state.ended) {
          setTimeout(check, EVERY)
        }
      })
      .catch(function () { setTimeout(check, EVERY) })
  }
  setTimeout(check, EVERY)
}
