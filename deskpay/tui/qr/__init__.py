"""The QR screen the customer at the counter scans."""
