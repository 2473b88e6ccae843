"""Who is calling: virtual keys today; org > team > user hierarchy and JWT come next."""
