"""Rounds: scope, completion, reminders, review and moderation, heatmaps, the council
view and trends."""
