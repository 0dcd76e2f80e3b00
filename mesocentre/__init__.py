"""Mesocentre: the self-service platform of a regional research datacenter."""

__version__ = "0.1.0"
