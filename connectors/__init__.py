"""One adapter per commerce platform behind one small interface (see ``base.py``)."""
