"""A team's assessment: the questionnaire, scoring (every figure), results in words, the
section forms, and the team lead's pages."""
