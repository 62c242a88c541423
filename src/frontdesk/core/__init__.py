"""Small shared building blocks: ids, the clock, errors and the event base class."""
