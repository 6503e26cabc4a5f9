// The page after someone takes their answers back: forget everything of theirs on this phone.
//
// The live page keeps a queue of answers waiting to be sent and the choices already sent
// (static/js/phone.js), under keys named after the workshop and a hash of the person. The
// server puts the same two names on this page, so nothing of theirs stays behind. Someone
// who took their answers back from another device has no keys here, so nothing is named.
const root = document.getElementById('forget')
if (root && root.dataset.workshop && root.dataset.person) {
  for (const kind of ['cg-queue-', 'cg-answers-']) {
    try { localStorage.removeItem(kind + root.dataset.workshop + '-' + root.dataset.person) } catch (e) { /* private mode */ }
  }
}
