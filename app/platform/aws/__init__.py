"""AWS through boto3: one client factory, per-service helpers, and error translation."""
