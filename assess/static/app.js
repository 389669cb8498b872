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

// A "Copy" button for a value the page shows once (a new API token): hidden until the
// browser can copy, and it says when it has.
for (const button of document.querySelectorAll('[data-copy-from]')) {
  if (!navigator.clipboard) continue
  button.hidden = false
  button.addEventListener('click', async () => {
    const field = document.getElementById(button.dataset.copyFrom)
    await navigator.clipboard.writeText(field.value)
    button.textContent = 'Copied'
  })
}

// "Why does this not apply?" is asked only once "Not applicable" is chosen: a box with
// data-shown-when="NAME=VALUE" shows while that radio is checked. (GOV.UK's own conditional
// reveal marks the radio aria-expanded, which a radio may not carry.)
for (const box of document.querySelectorAll('[data-shown-when]')) {
  const [name, value] = box.dataset.shownWhen.split('=')
  const radios = document.querySelectorAll(`input[type="radio"][name="${CSS.escape(name)}"]`)
  const sync = () => {
    const chosen = [...radios].find((radio) => radio.checked)
    const hasText = box.querySelector('textarea')?.value.trim()
    box.classList.toggle('govuk-radios__conditional--hidden', chosen?.value !== value && !hasText)
  }
  for (const radio of radios) radio.addEventListener('change', sync)
  sync()
}

// A chart still being drawn when the page was made: ask for the picture (the server waits a
// little for the renderer) and, once it arrives, show it where the note was. Without
// JavaScript, or if it does not come, the note stays and the table below has the numbers.
for (const note of document.querySelectorAll('[data-chart-src]')) {
  const picture = new Image()
  picture.alt = note.dataset.chartAlt
  if (note.dataset.chartWidth) {
    picture.width = Number(note.dataset.chartWidth)
    picture.height = Number(note.dataset.chartHeight)
  }
  picture.addEventListener('load', () => {
    const figure = document.createElement('figure')
    figure.className = note.dataset.chartClass
    if (note.dataset.label) figure.dataset.label = note.dataset.label
    figure.append(picture)
    note.replaceWith(figure)
    markScrollingTables()
  })
  picture.src = note.dataset.chartSrc
}
