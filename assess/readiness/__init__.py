"""The readiness review: the strategy's factual checks of how a service is delivered, answered
with evidence per focus area, scored beside the culture self-assessment's readiness scores."""
