"""Stage 6: results -> text for people (`text`), JSON for machines (`json`)."""
