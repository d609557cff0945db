"""Department scores: computed from red notices, joint tasks, reviews and ratings; their pages and API."""
