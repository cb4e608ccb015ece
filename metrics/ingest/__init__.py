"""What comes in and goes out as files: reading a sheet (reading), the size limits (limits), the one validator per
kind (validate), the one write path (importer: commit, roll back, batches) and the templates and exports (export)."""
