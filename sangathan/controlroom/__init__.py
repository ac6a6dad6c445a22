"""Control room."""
