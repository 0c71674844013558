"""Rendering, queueing and delivering the emails deskpay sends."""
