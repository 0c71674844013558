"""HTTP faces run by the worker: the sandbox checkout page and the Stripe webhook endpoint."""
