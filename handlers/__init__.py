"""Hand-written operation handlers: one module per contract tag, one function per operationId.

Handlers speak HTTP (status headers, envelopes, resource-level authorization); business rules
live in the services under app/.
"""
