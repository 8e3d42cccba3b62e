"""The rules file and the run settings: where files live, loading, validation, the cache."""
