"""Pure business rules: money, splits, balances, link states. No I/O, no UI, no SQL."""
