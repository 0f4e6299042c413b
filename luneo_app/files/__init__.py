"""File storage behind one small interface, and the signed-URL download route."""
