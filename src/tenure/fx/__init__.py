"""Foreign-exchange rates used to convert amounts into the reporting currency."""
