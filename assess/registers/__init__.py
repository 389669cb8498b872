"""The strategy's risk register and equality impact assessments: their rules, import and
export of entries, links to what assessments find, and their pages."""
