// "Read aloud": the browser's own speech (no network). Reads the step's heading, its help
// text and every answer choice, in the page's language. Hidden where speech is not offered.
export function wireReadAloud (scope) {
  if (!('speechSynthesis' in window)) return
  scope.querySelectorAll('[data-read-aloud]').forEach(function (button) {
    button.hidden = false
    button.addEventListener('click', function () {
      const step = document.getElementById('step')
      if (!step) return
      if (window.speechSynthesis.speaking) { window.speechSynthesis.cancel(); return }
      const parts = []
      step.querySelectorAll('h1, .govuk-caption-m, .govuk-hint, .govuk-body, .govuk-body-l, legend, label, dt, dd').forEach(function (el) {
        if (el.offsetParent !== null && el.textContent.trim()) parts.push(el.textContent.trim())
      })
      const speech = new SpeechSynthesisUtterance(parts.join('. '))
      speech.lang = document.documentElement.lang === 'cy' ? 'cy-GB' : 'en-GB'
      speech.rate = 0.9
      window.speechSynthesis.speak(speech)
    })
  })
}
