"""Pure-Python business rules: no Qt, no database."""
