"""Red notices (吹哨报到): services with the transition table and sweeps, declared actions, forms, pages, API."""
