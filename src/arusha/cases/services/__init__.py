"""Writes of the cases context. Each checks the write right, writes in one transaction and audits."""
