"""`callq serve`: leads in over HTTP (Starlette on uvicorn), events out to the hooks."""
