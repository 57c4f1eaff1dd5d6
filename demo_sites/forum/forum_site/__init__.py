"""Django project of the Forum demo app."""
