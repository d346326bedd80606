"""Read-models: plain dataclasses that pages and printouts show, below both services and exports.

They import only the domain and the standard library, so services (which fill them) and exports
(which print them) both depend on them without depending on each other.
"""
