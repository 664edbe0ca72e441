"""The screens of the cases context: staff desk, people and keys, investigation, statistics."""
