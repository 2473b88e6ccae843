"""The semantic layer: response cache (exact and semantic), semantic router, shared by one embedder."""
