// Starts the GOV.UK Frontend components. Loaded as a module, so only browsers that can run
// GOV.UK Frontend get here; every page works without it. The page template's own inline script
// sets these classes too, but a strict Content-Security-Policy may block that one.
import { initAll } from './govuk/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
