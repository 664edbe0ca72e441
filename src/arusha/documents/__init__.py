"""Rendering to PDF and DOCX, shared by every context. It knows no domain model."""
