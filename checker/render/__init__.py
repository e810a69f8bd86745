"""Stage 6: results -> text for people (`text`, with `steps` for the trace), JSON for machines
(`json`), and back (`saved`: a JSON result read for `checker replay`). Every renderer that writes
model text for a terminal or a report passes it through `safe.printable`; `words` holds the
wording they share."""
