# sangathan/testing.py is the suite's plugin: the fixed cast (tree, cast), the shared helpers (log_in,
# log_in_browser, pdf_text, require) and the hook that marks the browser and worker tests (e2e, worker).
pytest_plugins = ["sangathan.testing"]
