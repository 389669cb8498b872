"""assess: culture maturity and readiness self-assessment for council service teams.

Rooms by domain (docs/architecture.md): assessment, rounds, registers, audit, each with its
rules, and views; store/ for SQL; web/ for what every page shares."""
