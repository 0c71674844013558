"""The booking sheet: its Client and Paiement panes, its history, and the dialogs that act on a booking."""
