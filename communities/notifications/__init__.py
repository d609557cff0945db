"""The outbox (services), who is told (recipients), and the notification centre's page and API."""
