"""Parts of the scope matrix, one module per capability: see ``tests.security.world.parts``."""
