"""The strategy programme: performance indicators and the equality prompts their figures raise."""
