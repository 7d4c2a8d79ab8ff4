"""Recruitment and membership CRM for participant networks of newcomers: the core, no UI."""
