"""Excel and PDF documents built from service read-models."""
