"""What auditors rely on: the audit chain, exports with provenance, round packs, the
read-only API and its pages."""
