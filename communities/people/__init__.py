"""People and roles: role assignments and their grants (roles), "may this user do X here" (access), API tokens."""
