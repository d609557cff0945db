"""The service network: regions, service points and departments as the API serves them, the nearest point, coverage."""
