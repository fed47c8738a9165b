"""The blog API service: core, domain services and repositories behind the generated routes."""
