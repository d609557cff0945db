"""What supervisors watch: risk and red alerts, the statistics rollup, dashboard, league, the three rates."""
