"""Persons from a CSV or XLSX file: `reader` (bytes → header and rows), `mapping` (columns → fields,
remembered per source), `rows` (one row checked like a registration), `duplicates` (the entry-time
duplicate check for a whole file), `batch` (preview and the one-transaction import), `rejects` (the
refused rows as a file to correct)."""
