"""Widgets of the trainee's terminal; each one's styles live in the .tcss file beside it."""
