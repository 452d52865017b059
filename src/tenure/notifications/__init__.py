"""The in-app notification centre: short notices for one staff user."""
