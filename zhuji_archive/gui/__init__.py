"""The PySide6 user interface: it shows services' read-models and calls services to change things."""
