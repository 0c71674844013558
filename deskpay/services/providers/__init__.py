"""Payment providers behind one small interface: sandbox (offline default) and Stripe."""
