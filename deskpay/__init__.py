"""deskpay: collect the money for bookings through payment links, from the front desk."""

__version__ = "0.1.0"
