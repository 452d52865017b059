"""The daily briefing: its content, its channels and its once-a-day delivery."""
