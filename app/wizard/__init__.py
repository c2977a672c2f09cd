"""The Textual wizard (issue 3)."""

from app.wizard.app import WizardApp

__all__ = ["WizardApp"]
