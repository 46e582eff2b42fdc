"""Use cases: the only layer where ingest, store, reference data and the model meet."""
