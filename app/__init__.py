"""Top of the house: composes the `rag` command and the FastAPI app from every package."""
