"""Product usage: Segment-compatible event ingestion, raw events and daily rollups."""
