// The participant's phone: answers over Socket.IO, follows the room live, never loses an answer.
//
// Every answer gets an id made here and waits in a queue in localStorage until the server
// acknowledges it; "Saved" is shown only then. Once acknowledged, the phone keeps only the
// choices made (to show them again), never the words typed: the server has those, redacted.
// When the workshop ends the phone forgets the person's answers altogether. Answers go one at a time, in order, so a
// quick change of mind can never be overtaken by the older answer. The queue is sent again
// after a reconnect or a timeout (the server ignores an id it has already seen).
// A new step from the server replaces the step panel only when what the phone shows really
// changes, so a reveal or a timer on the big screen never wipes what someone is typing.
import { initComponents, status } from './common.js'
import { wireReadAloud } from './readaloud.js'

const ACK_TIMEOUT = 10000
const RETRY_AFTER = 4000

const root = document.getElementById('phone')
// Every message in the reader's language: the page carries them as data-t-* attributes
// (translated on the server like the rest of the page); English is the fallback.
const t = (key, fallback) => (root && root.dataset['t' + key]) || fallback
const OFFLINE = t('Offline', 'You are offline. Your answers are kept on this phone and sent when you are back online.')
const CHANGE = t('Change', 'Change my answer')
if (root && window.io) {
  const workshop = Number(root.dataset.workshop)
  // Per participant, not per workshop: on a shared tablet the next person must never see
  // (or send) the last person's answers.
  const queueKey = 'cg-queue-' + workshop + '-' + root.dataset.person
  const answersKey = 'cg-answers-' + workshop + '-' + root.dataset.person
  const connection = document.getElementById('connection')
  const region = document.getElementById('step-region')
  const load = (key, empty) => { try { return JSON.parse(localStorage.getItem(key)) || empty } catch (e) { return empty } }
  const save = (key, value) => { try { localStorage.setItem(key, JSON.stringify(value)) } catch (e) { /* private mode */ } }
  const newId = () => (window.crypto && crypto.randomUUID) ? crypto.randomUUID().replace(/-/g, '') : String(Date.now()) + Math.random().toString(16).slice(2)
  const loadQueue = () => { const q = load(queueKey, []); return Array.isArray(q) ? q : Object.values(q) }
  // The fields of an answer that hold words typed by the person (see payloadOf).
  const TEXT_KEYS = ['text', 'reason', 'conditions']
  const withoutText = (value) => Object.fromEntries(Object.entries(value || {}).filter(([key]) => !TEXT_KEYS.includes(key)))
  const forget = () => { try { localStorage.removeItem(queueKey); localStorage.removeItem(answersKey) } catch (e) { /* private mode */ } }
  // Answers saved by an older version of this page may still hold words: drop them now.
  {
    const saved = load(answersKey, null)
    if (saved && typeof saved === 'object') {
      save(answersKey, Object.fromEntries(Object.entries(saved).map(([step, value]) => [step, withoutText(value)])))
    }
  }

  const socket = window.io({ auth: { as: 'phone', workshop: workshop }, reconnectionDelayMax: 10000 })
  let shownHtml = null // the last step panel from the server, without its version number
  let sending = 0 // the number of the answer now waiting for an acknowledgement (0: none)
  let sent = 0
  let retryTimer = null

  const online = () => socket.connected && navigator.onLine !== false
  const stepEl = () => document.getElementById('step')
  const ended = () => Boolean(stepEl() && stepEl().dataset.status === 'ended')
  const formFor = (step) => region.querySelector('.cg-answer-form[data-step="' + step + '"]')
  const withoutVersion = (html) => html.replace(/ data-v="\d+"/, '')

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

  // Put values back into a form: the saved answer, or what was being typed before a redraw.
  function fill (form, values) {
    for (const [key, val] of Object.entries(values)) {
      const vals = Array.isArray(val) ? val.map(String) : [String(val)]
      form.querySelectorAll('[name="' + key + '"]').forEach(function (input, i) {
        if (input.type === 'radio' || input.type === 'checkbox') input.checked = vals.includes(input.value)
        else if (input.type !== 'hidden') input.value = vals[i] !== undefined ? vals[i] : ''
      })
    }
  }

  function clearForm (form) {
    form.querySelectorAll('input[type=radio], input[type=checkbox]').forEach(function (input) { input.checked = false })
    form.querySelectorAll('textarea').forEach(function (box) { box.value = '' })
  }

  function markSaved (form, text) {
    formStatus(form, text, 'saved')
    const button = form && form.querySelector('.cg-send')
    if (button) button.textContent = CHANGE
  }

  // --- sending ---------------------------------------------------------------------------

  function retryLater () {
    if (retryTimer) return
    retryTimer = setTimeout(function () { retryTimer = null; flush() }, RETRY_AFTER)
  }

  function flush () {
    if (sending || !online()) return
    const item = loadQueue()[0]
    if (!item) return
    const mine = sending = ++sent
    socket.timeout(ACK_TIMEOUT).emit('answer', item, function (err, ack) {
      if (mine !== sending) return // a reconnect started the queue again; this reply is stale
      sending = 0
      const form = formFor(item.step)
      if (err) {
        formStatus(form, t('Notsent', 'Not sent yet. We will keep trying.'), 'offline')
        retryLater()
        return
      }
      if (ack && ack.limited) {
        // Refused only for sending too fast: say so plainly, keep the answer, send it again later.
        formStatus(form, ack.error, 'offline')
        setTimeout(flush, 1000 * Math.min(Number(ack.retry) || 5, 60))
        return
      }
      if (ack && ack.retry) { // the server is restarting: keep the answer and send it once it is back
        formStatus(form, t('Restarting', 'The server is restarting. Your answer is kept on this phone and will be sent again in a moment.'), 'offline')
        retryLater()
        return
      }
      const queue = loadQueue().filter((q) => q.client_id !== item.client_id)
      save(queueKey, queue)
      const newer = queue.some((q) => q.step === item.step)
      if (ack && ack.ok) {
        if (!ended()) { // an acknowledgement arriving after the end keeps nothing either
          const answers = load(answersKey, {})
          answers[item.step] = withoutText(item.value) // the server has the words now
          save(answersKey, answers)
        }
        if (ack.held) { window.location.href = '/w/' + root.dataset.code + '/support'; return }
        if (!newer) {
          let text = t('Saved', 'Saved. You can change your answer until the question closes.')
          if (ack.redacted && Object.keys(ack.redacted).length) text += ' ' + t('Redacted', 'We hid some personal details in what you wrote.')
          if (ack.pending) text += ' ' + t('Pending', 'Your words will be checked before anyone else sees them.')
          markSaved(form, text)
        }
      } else if (!newer) {
        const why = (ack && ack.error) || t('Failed', 'Sorry, that did not work. Please try again.')
        // The question may have gone from the screen (the facilitator moved on): say so where it can be seen.
        if (form) formStatus(form, why, 'error')
        else status(connection, t('Notsaved', 'Your last answer was not saved:') + ' ' + why, 'error')
      }
      flush()
    })
  }

  function submit (event) {
    const form = event.target.closest('.cg-answer-form')
    if (!form) return
    event.preventDefault()
    const item = { step: Number(form.dataset.step), client_id: newId(), value: payloadOf(form) }
    // A newer answer to the same question replaces one that has not gone yet.
    const queue = loadQueue().filter((q) => q.step !== item.step)
    queue.push(item)
    save(queueKey, queue)
    if (online()) {
      formStatus(form, t('Sending', 'Sending…'), 'saving')
      flush()
    } else if (navigator.onLine === false) {
      formStatus(form, t('Kept', 'You are offline. Your answer is kept on this phone and sent when you are back.'), 'offline')
    } else {
      // Still connecting (a slow network, just after the page loaded): it goes once connected.
      formStatus(form, t('Sending', 'Sending…'), 'saving')
    }
  }

  // --- showing the current step ----------------------------------------------------------

  // Fill each answer form with the best copy of the participant's answer, then start the
  // components, so conditional questions open to match: what they were typing before a
  // redraw; else an answer still waiting to go; else their saved answer (unless the server
  // drew the form with it already).
  function wire (scope, draft) {
    // The workshop has ended: nothing more can be sent, so nothing of theirs stays here.
    if (ended()) forget()
    const answers = load(answersKey, {})
    scope.querySelectorAll('.cg-answer-form').forEach(function (form) {
      const step = form.dataset.step
      const waiting = loadQueue().filter((q) => String(q.step) === step).pop()
      if (draft && draft.step === step) {
        clearForm(form)
        fill(form, draft.value)
        const note = form.querySelector('[data-status]')
        if (note && draft.note) { note.textContent = draft.note.textContent; note.className = draft.note.className }
        const button = form.querySelector('.cg-send')
        if (draft.answered && button) button.textContent = CHANGE
      } else if (waiting) {
        clearForm(form)
        fill(form, waiting.value)
        formStatus(form, t('Waiting', 'Not sent yet. We will send it when we can.'), 'offline')
      } else if (answers[step] && !form.querySelector('.cg-send[data-answered]')) {
        clearForm(form)
        fill(form, answers[step])
        markSaved(form, t('Savedbefore', 'Your answer is saved. You can change it until the question closes.'))
      }
    })
    initComponents(scope)
    wireReadAloud(scope)
  }

  let previewTimer = null
  function preview (event) {
    const box = event.target
    if (!box.classList || !box.classList.contains('cg-redact-preview')) return
    clearTimeout(previewTimer)
    previewTimer = setTimeout(function () {
      const note = document.getElementById(box.id + '-preview')
      if (!note) return
      if (!online() || !box.value.trim()) { note.hidden = true; return }
      socket.timeout(ACK_TIMEOUT).emit('preview', { text: box.value }, function (err, ack) {
        if (err || !ack || !ack.ok || !ack.changed) { note.hidden = true; return }
        note.hidden = false
        note.textContent = t('Preview', 'To keep people safe, we will hide some details. Others will see:') + ' "' + ack.text + '"'
      })
    }, 500)
  }

  function show (payload) {
    if (!payload || typeof payload.html !== 'string') return
    const current = stepEl()
    if (current && Number(current.dataset.v) > Number(payload.v)) return // older than what is shown
    const html = withoutVersion(payload.html)
    if (html === shownHtml) { // nothing a participant can see has changed
      if (current) current.dataset.v = payload.v
      return
    }
    const before = current ? current.dataset.step : null
    const form = region.querySelector('.cg-answer-form')
    const note = form && form.querySelector('[data-status]')
    const draft = form && {
      step: form.dataset.step,
      value: payloadOf(form),
      note: note && note.textContent ? { textContent: note.textContent, className: note.className } : null,
      answered: (form.querySelector('.cg-send') || {}).textContent === CHANGE
    }
    const hadFocus = region.contains(document.activeElement)
    region.innerHTML = payload.html
    shownHtml = html
    wire(region, draft)
    const after = stepEl() ? stepEl().dataset.step : null
    if (after !== before || hadFocus) {
      const heading = region.querySelector('h1')
      if (heading) heading.focus()
    }
  }

  // --- the connection --------------------------------------------------------------------

  socket.on('connect', function () {
    root.dataset.live = 'yes'
    status(connection, '')
    sending = 0 // anything in flight before the drop is sent again (the server ignores repeats)
    socket.timeout(ACK_TIMEOUT).emit('sync', {}, function (err, state) {
      if (!err && state && state.limited) status(connection, state.error, 'offline')
      if (!err && state && state.ok && String(state.v) !== String((stepEl() || root).dataset.v)) show(state)
      flush()
    })
  })
  socket.on('disconnect', function (reason) {
    root.dataset.live = 'no'
    status(connection, navigator.onLine === false ? OFFLINE : t('Lost', 'Connection lost. Trying again… Your answers are kept on this phone.'), 'offline')
    // Closed by the server (too many tabs open, or far too many messages): try again calmly.
    if (reason === 'io server disconnect') setTimeout(function () { if (!socket.connected) socket.connect() }, 10000)
  })
  socket.on('connect_error', function () {
    root.dataset.live = 'no'
    status(connection, navigator.onLine === false ? OFFLINE : t('Trying', 'Trying to connect… Your answers are kept on this phone.'), 'offline')
  })
  socket.on('state', show)
  socket.on('restarting', function () {
    status(connection, t('Restarting', 'The server is restarting. Your answers are kept on this phone and will be sent again in a moment.'), 'saving')
  })

  // The phone knows it has no network before the socket does: stop trying, and start again
  // the moment the network is back rather than after the next back-off delay.
  window.addEventListener('offline', function () {
    status(connection, OFFLINE, 'offline')
    socket.disconnect()
  })
  window.addEventListener('online', function () {
    status(connection, t('Back', 'Back online. Trying to connect…'), 'saving')
    if (!socket.connected) socket.connect()
  })

  // A shared tablet: the next person may only have it once this person's answers are sent,
  // and nothing of theirs stays on it.
  const handOver = document.querySelector('form.cg-tablet')
  if (handOver) {
    handOver.addEventListener('submit', function (event) {
      if (loadQueue().length) {
        event.preventDefault()
        status(connection, t('Wait', 'Please wait. Your answers are still being sent.'), 'saving')
        flush()
        return
      }
      forget()
    })
  }

  region.addEventListener('submit', submit)
  region.addEventListener('input', preview)
  wire(document)
}
