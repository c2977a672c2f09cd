"""Modal screens of the wizard."""
