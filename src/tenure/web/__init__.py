"""The web app: NiceGUI pages and the JSON API under /api/v1, in one process."""
