"""Sightline: image classification from training to a live, monitored, retrainable service."""

__version__ = "0.1.0"
