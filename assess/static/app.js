// Starts the GOV.UK Frontend components. Loaded as a module, so only browsers that can run
// GOV.UK Frontend get here; every page works without it. The page template's own inline script
// sets these classes too, but a strict Content-Security-Policy may block that one.
import { initAll } from './govuk/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

// A wide table scrolls inside its own box (.app-table-scroll), so the page never scrolls
// sideways. Where it overflows, the box becomes a named region keyboard users can focus and
// scroll; where it fits, it stays a plain box and adds no tab stop.
function markScrollingTables () {
  for (const box of document.querySelectorAll('.app-table-scroll')) {
    if (box.scrollWidth > box.clientWidth) {
      box.setAttribute('role', 'region')
      box.setAttribute('aria-label', box.dataset.label)
      box.setAttribute('tabindex', '0')
    } else {
      box.removeAttribute('role')
      box.removeAttribute('aria-label')
      box.removeAttribute('tabindex')
    }
  }
}
markScrollingTables()
window.addEventListener('resize', markScrollingTables)
