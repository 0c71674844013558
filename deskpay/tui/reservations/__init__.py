"""The home screen: the reservations list, its search and its date filters."""
