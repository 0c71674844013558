"""A new booking taken at the desk or on the phone."""
