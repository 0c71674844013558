"""What every screen of the desk uses: the provider banner, the key bar, badges, the palettes, confirm and help."""
