// The participant's phone: answers over Socket.IO, never loses an answer.
// Every answer carries an id made here; it is kept in localStorage until the server
// acknowledges it, and resent after a reconnect (the server ignores a repeat).
import { initComponents, status } from './common.js'

const root = document.getElementById('phone')
if (root && window.io) {
  const workshop = Number(root.dataset.workshop)
  const queueKey = 'cg-queue-' + workshop
  const answersKey = 'cg-answers-' + workshop
  const connection = document.getElementById('connection')
  const region = document.getElementById('step-region')
  const load = (key) => { try { return JSON.parse(localStorage.getItem(key) || '{}') } catch (e) { return {} } }
  const save = (key, value) => { try { localStorage.setItem(key, JSON.stringify(value)) } catch (e) { /* private mode */ } }
  const newId = () => (window.crypto && crypto.randomUUID) ? crypto.randomUUID().replace(/-/g, '') : String(Date.now()) + Math.random().toString(16).slice(2)

  const socket = window.io({ auth: { as: 'phone', workshop: workshop }, reconnectionDelayMax: 10000 })
  let currentStep = stepNumber()

  function stepNumber () {
    const el = document.getElementById('step')
    return el ? Number(el.dataset.step) : -1
  }

  function formStatus (form, text, kind) {
    status(form ? form.querySelector('[data-status]') : null, text, kind)
  }

  function payloadOf (form) {
    const data = new FormData(form)
    const multi = ['choices', 'values', 'conditions']
    const value = {}
    for (const key of ['position', 'reason', 'ground', 'scale', 'text', 'choices', 'values', 'conditions']) {
      const all = data.getAll(key).filter((x) => x !== '')
      if (!all.length) continue
      value[key] = (multi.includes(key) && !(key === 'choices' && form.querySelector('input[type=radio][name=choices]'))) ? all : all[0]
    }
    return value
  }

  function restore (form) {
    const mine = load(answersKey)[form.dataset.step]
    if (!mine || form.dataset.restored) return
    form.dataset.restored = '1'
    for (const [key, val] of Object.entries(mine)) {
      const vals = Array.isArray(val) ? val.map(String) : [String(val)]
      form.querySelectorAll('[name="' + key + '"]').forEach(function (input, i) {
        if (input.type === 'radio' || input.type === 'checkbox') input.checked = vals.includes(input.value)
        else if (vals[i] !== undefined) input.value = vals[i]
      })
    }
    formStatus(form, 'Your answer is saved. You can change it until the question closes.', 'saved')
  }

  function send (item) {
    socket.timeout(10000).emit('answer', item, function (err, ack) {
      const form = document.querySelector('.cg-answer-form[data-step="' + item.step + '"]')
      if (err) { formStatus(form, 'Not sent yet. We will keep trying.', 'offline'); return }
      const queue = load(queueKey)
      delete queue[item.client_id]
      save(queueKey, queue)
      if (ack && ack.ok) {
        const answers = load(answersKey)
        answers[item.step] = item.value
        save(answersKey, answers)
        if (ack.held) { window.location.href = '/w/' + root.dataset.code + '/support'; return }
        let text = 'Saved. You can change your answer until the question closes.'
        if (ack.redacted && Object.keys(ack.redacted).length) text += ' We hid some personal details in what you wrote.'
        if (ack.pending) text += ' Your words will be checked before anyone else sees them.'
        formStatus(form, text, 'saved')
        const button = form && form.querySelector('.cg-send')
        if (button) button.textContent = 'Change my answer'
      } else {
        formStatus(form, (ack && ack.error) || 'Sorry, that did not work. Please try again.', 'error')
      }
    })
  }

  function resendQueued () {
    Object.values(load(queueKey)).forEach(send)
  }

  function wire (scope) {
    initComponents(scope)
    scope.querySelectorAll('.cg-answer-form').forEach(function (form) {
      restore(form)
      form.addEventListener('submit', function (event) {
        event.preventDefault()
        const item = { step: Number(form.dataset.step), client_id: newId(), value: payloadOf(form) }
        const queue = load(queueKey)
        queue[item.client_id] = item
        save(queueKey, queue)
        formStatus(form, socket.connected ? 'Sending…' : 'You are offline. We will send it when you are back.', socket.connected ? 'saving' : 'offline')
        if (socket.connected) send(item)
      })
    })
    let timer = null
    scope.querySelectorAll('.cg-redact-preview').forEach(function (box) {
      box.addEventListener('input', function () {
        clearTimeout(timer)
        timer = setTimeout(function () {
          const note = document.getElementById(box.id + '-preview')
          if (!note || !socket.connected || !box.value.trim()) { if (note) note.hidden = true; return }
          socket.emit('preview', { text: box.value }, function (ack) {
            if (!ack || !ack.ok || !ack.changed) { note.hidden = true; return }
            note.hidden = false
            note.textContent = 'To keep people safe, we will hide some details. Others will see: "' + ack.text + '"'
          })
        }, 500)
      })
    })
  }

  function show (payload) {
    if (!payload || payload.html === undefined) return
    region.innerHTML = payload.html
    wire(region)
    const step = stepNumber()
    if (step !== currentStep) {
      currentStep = step
      const heading = region.querySelector('h1')
      if (heading) heading.focus()
    }
  }

  socket.on('connect', function () {
    status(connection, '')
    socket.emit('sync', {}, function (state) {
      if (state && state.ok && String(state.v) !== String((document.getElementById('step') || {}).dataset?.v)) show(state)
      resendQueued()
    })
  })
  socket.on('disconnect', function () {
    status(connection, 'Connection lost. Your answers are kept on this phone and sent when you are back.', 'offline')
  })
  socket.on('connect_error', function () {
    status(connection, 'Trying to connect… Your answers are kept on this phone.', 'offline')
  })
  socket.on('state', show)
  wire(document)
}
