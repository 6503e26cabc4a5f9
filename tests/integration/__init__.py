"""Integration tests: routes, sockets, services, CLI and migrations, on SQLite or PostgreSQL."""
